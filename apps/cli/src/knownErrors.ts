/**
 * Errors the packages raise for bad input. Each package's errors extend its own base class; a CLI that
 * composes them maps every one to a one-line message and exit code 1.
 * Packages register their base classes here as they gain them.
 */
import { DatasetError } from '@cxr/dataset';
import { MetricsError } from '@cxr/metrics';
import { ModelError } from '@cxr/model';
import { PreprocessError } from '@cxr/preprocess';
import { ReportError } from '@cxr/report';

const knownBases: Array<abstract new (...args: never[]) => Error> = [DatasetError, MetricsError, ModelError, PreprocessError, ReportError];

/**
 * The base classes by name as well, for an error class that is another copy of the one imported here (two installed
 * copies of a package). The packages' own two entries share one copy of each class (tsup code splitting, checked on
 * the packed packages by tools/consumer), so within one install `instanceof` already holds.
 */
const knownBaseNames = new Set(knownBases.map((base) => base.name));

/** True for the typed input errors of the @cxr packages (from whichever copy of a package's bundle). */
export function isKnownInputError(error: unknown): boolean {
  if (knownBases.some((base) => error instanceof base)) return true;
  if (typeof error !== 'object' || error === null) return false;
  for (let proto: unknown = Object.getPrototypeOf(error); proto && proto !== Error.prototype; proto = Object.getPrototypeOf(proto)) {
    const ctor = (proto as { constructor?: { name?: string } }).constructor;
    if (ctor?.name && knownBaseNames.has(ctor.name)) return true;
  }
  return false;
}
