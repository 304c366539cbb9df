import type { Command } from 'commander';

/** What every command receives besides its options: where to print, and whether stdout is a terminal. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Working directory against which relative paths are resolved. */
  cwd: string;
}

/** A sub-command: adds itself (with options, help and a worked example) to the program. */
export interface CommandModule {
  name: string;
  register(program: Command, ctx: CliContext): void;
}
