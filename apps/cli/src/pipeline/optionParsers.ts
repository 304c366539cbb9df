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

/** `--url https://mirror/x.h5`: an absolute http(s) URL (checked here so that a typo is a usage error, not a crash). */
export function parseHttpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an absolute http:// or https:// URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError('expected an absolute http:// or https:// URL.');
  return value;
}

/** Parses a proportion strictly between 0 and 1 (a prevalence: `--prevalence 0.05`). */
export function parseProportion(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x > 0 && x < 1)) throw new InvalidArgumentError('expected a number between 0 and 1, e.g. 0.05.');
  return x;
}
