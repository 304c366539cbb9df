import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfoundedDesignError } from '@cxr/dataset';
import { PipelineInterruptedError, PipelineOptionsError } from '@cxr/model/node';
import { PredictionsOptionsError } from '@cxr/report';
import { Command, CommanderError } from 'commander';
import type { CliContext } from './command';
import { commands } from './commands/index';
import { EXIT, InputError, InterruptedError, UsageError } from './errors';
import { isKnownInputError } from './knownErrors';

const BANNER = 'cxr: chest X-ray COVID-19 vs normal research toolkit. NOT FOR CLINICAL USE.';

/** The CLI's version, from apps/cli/package.json (one folder up from both src/ and dist/). */
export const CLI_VERSION: string = (JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Builds the `cxr` program with every command registered. Exposed for tests. */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('cxr')
    .description(BANNER)
    .version(CLI_VERSION, '-V, --version', 'print the cxr version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  for (const command of commands) command.register(program, ctx);
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code: 0 success, 1 bad input (one line naming the file and
 * the problem), 2 bad usage, 70 an unexpected error (with its stack).
 */
export async function main(
  argv: string[],
  ctx: CliContext = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() },
): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    return reportError(error, ctx);
  }
}

function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof CommanderError) {
    // Help and version "errors" are commander's way of stopping early: they are successes.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') {
      return EXIT.ok;
    }
    return EXIT.usage;
  }
  if (error instanceof InterruptedError || error instanceof PipelineInterruptedError) {
    ctx.stderr.write(`cxr: ${error.message}\n`);
    return EXIT.interrupted;
  }
  // The pipeline's option errors are usage errors (exit 2), checked before the packages' input errors.
  // A confounded data design is refused like a usage error (exit 2): --allow-confounded is the way on.
  if (error instanceof UsageError || error instanceof PipelineOptionsError || error instanceof PredictionsOptionsError || error instanceof ConfoundedDesignError) {
    ctx.stderr.write(`cxr: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof InputError || isKnownInputError(error)) {
    ctx.stderr.write(`cxr: ${(error as Error).message}\n`);
    return EXIT.input;
  }
  const fsProblem = fileSystemProblem(error);
  if (fsProblem) {
    ctx.stderr.write(`cxr: ${fsProblem}\n`);
    return EXIT.input;
  }
  ctx.stderr.write(`cxr: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
  return EXIT.internal;
}

/**
 * Node's file-system errors about a path the user gave (an output folder that is a file, a missing or unreadable
 * input, a full disk) are bad input, not bugs: one line naming the path, exit 1. Anything else stays unexpected.
 */
const USER_PATH_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EEXIST: 'exists and is not a folder',
  ENOTDIR: 'a file is in the way where a folder is needed',
  EISDIR: 'is a folder, a file was expected',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

function fileSystemProblem(error: unknown): string | undefined {
  const e = error as { code?: unknown; path?: unknown; syscall?: unknown } | null;
  // Duck-typed: errors from Node's own realm are not `instanceof Error` under a test runner's vm context.
  if (!e || typeof e !== 'object' || typeof e.code !== 'string' || typeof e.path !== 'string') return undefined;
  const what = USER_PATH_ERRORS[e.code];
  return what ? `${e.path}: ${what} (${e.code}${typeof e.syscall === 'string' ? `, ${e.syscall}` : ''})` : undefined;
}
