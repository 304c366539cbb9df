import { runCli as runCliIn, sharedDataDir } from '../../__fixtures__/cliHarness';

/** The shared real data folder (`../shared/data` beside the repository, or `CXR_SHARED_DATA`); required on CI. */
export const sharedData = sharedDataDir;

/** Runs `cxr <args>` through `main` in `cwd`, capturing stdout and stderr (argument order of the pipeline tests). */
export function runCli(args: string[], cwd: string, tty = false): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCliIn(cwd, args, tty);
}
