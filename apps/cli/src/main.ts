import { readFileSync } from 'node:fs';
import path from 'node:path';
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
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    });
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
  if (error instanceof InterruptedError) {
    ctx.stderr.write(`cxr: ${error.message}\n`);
    return EXIT.interrupted;
  }
  if (error instanceof UsageError) {
    ctx.stderr.write(`cxr: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof InputError || isKnownInputError(error)) {
    ctx.stderr.write(`cxr: ${(error as Error).message}\n`);
    return EXIT.input;
  }
  ctx.stderr.write(`cxr: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`);
  return EXIT.internal;
}
