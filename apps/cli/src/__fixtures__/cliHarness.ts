import { existsSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../main';

/**
 * The real public data shared by the project (never copied into the repo): `CXR_SHARED_DATA`, or
 * `<repo>/../shared/data`. On CI (`CI` set) a missing folder fails the suite at once with this message instead of
 * a later ENOENT, so that a CI without its data cannot go unnoticed.
 */
export const sharedDataDir: string = process.env['CXR_SHARED_DATA'] ?? path.resolve(__dirname, '../../../..', '../shared/data');
if (process.env['CI'] && !existsSync(sharedDataDir)) {
  throw new Error(`Shared test data not found at ${sharedDataDir}: CI must provide it (or set CXR_SHARED_DATA)`);
}

/** A writable stream that keeps what is written, optionally claiming to be a TTY. */
export function sink(isTTY = false): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

/** Runs `cxr <args>` in-process in `cwd`; `tty` makes stderr a TTY (progress lines rewritten in place). */
export async function runCli(cwd: string, args: readonly string[], tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink(tty);
  const code = await main(['node', 'cxr', ...args], { stdout: stdout.stream, stderr: stderr.stream, cwd });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
