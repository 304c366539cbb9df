import path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../main';

/** The shared real data folder (`../shared/data` beside the repository, or `CXR_SHARED_DATA`). */
export const sharedData = process.env['CXR_SHARED_DATA'] ?? path.resolve(__dirname, '../../../../..', '../shared/data');

function sink(isTTY = false): { stream: Writable & { isTTY: boolean }; text: () => string } {
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

/** Runs `cxr <args>` through `main` in `cwd`, capturing stdout and stderr. */
export async function runCli(args: string[], cwd: string, tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = sink();
  const stderr = sink(tty);
  const code = await main(['node', 'cxr', ...args], { stdout: stdout.stream, stderr: stderr.stream, cwd });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
