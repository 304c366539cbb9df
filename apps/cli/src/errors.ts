/** Bad usage of the CLI (unknown option, missing argument): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Bad input detected by the CLI itself (a file that does not exist, a CSV without the asked column):
 * exit code 1 with a one-line message.
 */
export class InputError extends Error {
  override name = 'InputError';
}

/** Work stopped by Ctrl-C (after saving what can be resumed): exit code 130, as shells report SIGINT. */
export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** Exit codes: 0 success, 1 bad input, 2 bad usage, 70 an unexpected internal error, 130 interrupted (Ctrl-C). */
export const EXIT = { ok: 0, input: 1, usage: 2, internal: 70, interrupted: 130 } as const;
