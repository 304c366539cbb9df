/**
 * Errors the packages raise for bad input. Each package's errors extend its own base class; a CLI that
 * composes them maps every one to a one-line message and exit code 1.
 * Packages register their base classes here as they gain them.
 */
import { DatasetError } from '@cxr/dataset';
import { MetricsError } from '@cxr/metrics';
import { ModelError } from '@cxr/model';
import { PreprocessError } from '@cxr/preprocess';

const knownBases: Array<abstract new (...args: never[]) => Error> = [DatasetError, MetricsError, ModelError, PreprocessError];

/** True for the typed input errors of the @cxr packages. */
export function isKnownInputError(error: unknown): boolean {
  return knownBases.some((base) => error instanceof base);
}
