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

/**
 * The base classes by name as well: each package's CJS build bundles `index.js` and `node.js` separately, so an
 * error thrown through `@cxr/model/node` is a `ModelError` of another copy of the class than the one `@cxr/model`
 * exports, and `instanceof` alone misses it (the built CLI then printed a stack with exit 70 for a missing cxr.json).
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
