import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './__fixtures__/cliHarness';
import { isKnownInputError } from './knownErrors';

describe('cxr main: exit codes and one-line errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cxr-main-'));
    await writeFile(path.join(dir, 'notes.png'), 'just text, not an image\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('--version prints the version of apps/cli/package.json', async () => {
    const { version } = JSON.parse(await readFile(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(dir, ['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('an unknown option or a missing required option is exit 2', async () => {
    expect((await runCli(dir, ['predict', '--model', 'm', '--bogus', 'a.png'])).code).toBe(2);
    expect((await runCli(dir, ['predict', 'a.png'])).code).toBe(2);
    expect((await runCli(dir, ['no-such-command'])).code).toBe(2);
  });

  it('a model folder without cxr.json is one line naming it, exit 1, no stack', async () => {
    const r = await runCli(dir, ['predict', '--model', 'no-model', 'notes.png']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(path.join(dir, 'no-model', 'cxr.json'));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing predictions file is one line naming it, exit 1', async () => {
    const r = await runCli(dir, ['metrics', '--predictions', 'missing.csv']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('missing.csv');
  });

  it('an output folder that is a file is one line naming it, exit 1 (a Node file-system error, not a bug)', async () => {
    const r = await runCli(dir, ['dicom', 'convert', 'missing.dcm', '--out', 'notes.png']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`cxr: ${path.join(dir, 'notes.png')}: exists and is not a folder (EEXIST, mkdir)`);
  });

  it('recognises a package error from a second copy of its bundle (CJS index.js and node.js each hold one)', () => {
    // What the built CLI meets: a ModelError class that is not the one `@cxr/model` exports.
    class ModelError extends Error {}
    class ModelIoError extends ModelError {}
    expect(isKnownInputError(new ModelIoError('No model config m/cxr.json'))).toBe(true);
    class SomethingElse extends Error {}
    expect(isKnownInputError(new SomethingElse('x'))).toBe(false);
    expect(isKnownInputError(new TypeError('x'))).toBe(false);
    expect(isKnownInputError('ModelError')).toBe(false);
  });
});
