import { Writable } from 'node:stream';
import { createProgress } from './progress';

function ctxWith(isTTY: boolean) {
  let text = '';
  const stderr = Object.assign(new Writable({ write(chunk, _e, done) { text += String(chunk); done(); } }), { isTTY });
  return { ctx: { stdout: stderr, stderr, cwd: '.' }, text: () => text };
}

describe('createProgress', () => {
  it('on a terminal redraws one bar in place and ends its line', () => {
    const { ctx, text } = ctxWith(true);
    const p = createProgress(ctx);
    p.bar('features', 0, 4, '', true);
    p.bar('features', 4, 4);
    p.end();
    // 24-character bar: 0/4 -> empty, 4/4 -> full
    expect(text()).toBe(`\r\x1b[2Kfeatures [${'-'.repeat(24)}] 0/4\r\x1b[2Kfeatures [${'#'.repeat(24)}] 4/4\n`);
  });

  it('elsewhere prints plain lines: the first, forced ones and the last, not every update', () => {
    const { ctx, text } = ctxWith(false);
    const p = createProgress(ctx, { plainEveryMs: 60_000 });
    for (let i = 1; i <= 10; i++) p.bar('predict', i, 10);
    p.line('done');
    expect(text()).toBe('predict: 1/10\npredict: 10/10\ndone\n');
    expect(text()).not.toContain('\r');
  });

  it('prints nothing when quiet', () => {
    const { ctx, text } = ctxWith(true);
    const p = createProgress(ctx, { quiet: true });
    p.bar('x', 1, 2);
    p.line('y');
    p.end();
    expect(text()).toBe('');
  });
});
