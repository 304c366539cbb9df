import path from 'node:path';
import { UnsafePathError } from '../errors';
import { resolveInside } from './resolveInside';

describe('resolveInside', () => {
  const root = path.resolve('/data/covid');
  it('resolves plain relative names inside the root', () => {
    expect(resolveInside(root, 'images/a.png')).toBe(path.join(root, 'images', 'a.png'));
    expect(resolveInside(root, './a b.png')).toBe(path.join(root, 'a b.png'));
  });
  it.each([
    ['../x.png', 'climbs'],
    ['images/../../x.png', 'climbs'],
    ['images\\..\\..\\x.png', 'climbs'],
    ['/etc/passwd', 'absolute'],
    ['C:\\Windows\\x.png', 'absolute'],
    ['\\\\server\\share\\x.png', 'absolute'],
    ['a\0.png', 'NUL'],
    ['', 'empty'],
  ])('refuses %j (%s) with an UnsafePathError naming the metadata file', (p, why) => {
    let error: unknown;
    try {
      resolveInside(root, p, 'meta.csv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsafePathError);
    expect((error as Error).message).toContain('meta.csv');
    expect((error as Error).message).toContain(why);
    expect((error as UnsafePathError).unsafePath).toBe(p);
  });
});
