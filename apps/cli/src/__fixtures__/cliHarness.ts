import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { main } from '../main';
import { requiredOnCi, sharedDataDir } from '@cxr/testing';

/** The shared real data folder; on CI a missing folder fails the suite at once instead of a later ENOENT. */
export { sharedDataDir };
requiredOnCi(existsSync(sharedDataDir), `shared test data at ${sharedDataDir} (or set CXR_SHARED_DATA)`);

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
