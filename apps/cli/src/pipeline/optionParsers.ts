import { InvalidArgumentError } from 'commander';

/**
 * Argument parsers shared by the commands' options (commander `argParser`s): a bad value is commander's usage
 * error, exit 2, naming the option.
 */

/** `--epochs 10`, `--concurrency 2`: an integer from 1. */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer.');
  return Number(value);
}

/** `--seed 42`: an integer from 0 (the same rule for every command's seed). */
export function parseSeed(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

/** A repeatable option (`--source a --source b`) collected into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
