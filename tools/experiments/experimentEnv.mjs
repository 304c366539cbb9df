// The preamble every experiment script shares: re-run itself on the TypeScript sources (tsx and the `@cxr/source`
// export condition, so no build is needed), then say where the repository, the shared data and the work folder are.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const repoRoot = path.resolve(here, '../..');

/**
 * In the parent process: runs `scriptUrl` again under tsx with the same arguments and exits with its status (never
 * returns). In that child: returns `{ shared, work }`, the shared data folder (`CXR_SHARED_DATA`, default
 * `<repo>/../shared/data`) and the work folder (`CXR_EXPERIMENT_WORK`, default `<repo>/.cache/<name>`).
 */
export function experimentEnv(scriptUrl, name) {
  if (!process.env.CXR_EXPERIMENT_CHILD) {
    const r = spawnSync(process.execPath, ['--conditions=@cxr/source', '--import', 'tsx', fileURLToPath(scriptUrl), ...process.argv.slice(2)], {
      stdio: 'inherit',
      cwd: repoRoot,
      env: { ...process.env, CXR_EXPERIMENT_CHILD: '1' },
    });
    process.exit(r.status ?? 1);
  }
  return {
    shared: path.resolve(process.env.CXR_SHARED_DATA ?? path.join(repoRoot, '../shared/data')),
    work: path.resolve(process.env.CXR_EXPERIMENT_WORK ?? path.join(repoRoot, '.cache', name)),
  };
}

/**
 * Where a result came from: the git commit (`unknown` outside a checkout), the Node version, and the machine with its
 * load average at the time of the call.
 */
export function runProvenance() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  return { commit, node: process.version, machine: `${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average at end ${load}` };
}
