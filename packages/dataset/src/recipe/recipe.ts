import type { ClassRule } from '../build/defaultRecipe';
import { RecipeError } from '../errors';
import type { RecordFilter } from '../metadata/recordFilter';
import { SOURCE_KINDS, type SourceKind } from '../metadata/sourceRecord';

/**
 * A dataset recipe: which classes a build makes and which records each class takes. Data, not code: a JSON file
 * with exactly these keys is a recipe (see {@link parseRecipe}). A record goes to the first class whose filter
 * keeps it.
 */
export interface Recipe {
  /** Short name (`three-class`), shown by `cxr dataset recipes` and kept in `summary.json`. */
  name: string;
  /** One or two sentences: the question the classes ask. */
  description: string;
  /** The classes, in output order (the model's classes keep this order). */
  classes: ClassRule[];
  /**
   * The class the decision threshold applies to (a trained model decides it when its probability is >= the
   * threshold, else the most probable other class). Unset: the decision is the most probable class (argmax).
   */
  positiveClass?: string;
}

const RECIPE_KEYS = ['name', 'description', 'classes', 'positiveClass'] as const;
const CLASS_KEYS = ['label', 'filter'] as const;
const FILTER_KEYS = [
  'sources',
  'finding',
  'excludeFinding',
  'modality',
  'views',
  'minAge',
  'maxAge',
  'keepUnknownAge',
  'sex',
  'onePerPatient',
] as const satisfies readonly (keyof RecordFilter)[];

/** A class label is an output folder name. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates a parsed recipe (e.g. `JSON.parse` of a recipe file) and returns it typed. Unknown keys are refused
 * (a typo such as `view` for `views` would otherwise silently keep every view).
 *
 * @param file named in error messages (the recipe file, or `<object>`)
 * @throws {RecipeError} naming the file, the key and the bad value
 * @example
 * parseRecipe({ name: 'mine', description: 'covid vs normal', classes: [
 *   { label: 'covid', filter: { finding: 'COVID-19', views: ['PA'] } },
 *   { label: 'normal', filter: { finding: 'No Finding', views: ['PA'], minAge: 18 } },
 * ] }, 'mine.json');
 */
export function parseRecipe(json: unknown, file = '<object>'): Recipe {
  const fail = (key: string, problem: string): never => {
    throw new RecipeError(file, key, problem);
  };
  if (!isObject(json)) return fail('', `expected a JSON object, got ${show(json)}`);
  for (const k of Object.keys(json)) {
    if (!(RECIPE_KEYS as readonly string[]).includes(k)) fail(k, `unknown key (allowed: ${RECIPE_KEYS.join(', ')})`);
  }
  const { name, description, classes, positiveClass } = json;
  if (typeof name !== 'string' || !LABEL.test(name)) fail('name', `expected a plain name (letters, digits, - or _), got ${show(name)}`);
  if (typeof description !== 'string') fail('description', `expected a string, got ${show(description)}`);
  if (!Array.isArray(classes) || classes.length < 2) fail('classes', `expected a list of at least two classes, got ${show(classes)}`);
  const labels = new Set<string>();
  const rules = (classes as unknown[]).map((c, i): ClassRule => {
    const at = `classes[${i}]`;
    if (!isObject(c)) return fail(at, `expected { label, filter }, got ${show(c)}`);
    for (const k of Object.keys(c)) if (!(CLASS_KEYS as readonly string[]).includes(k)) fail(`${at}.${k}`, `unknown key (allowed: ${CLASS_KEYS.join(', ')})`);
    if (typeof c.label !== 'string' || !LABEL.test(c.label)) fail(`${at}.label`, `expected a plain folder name, got ${show(c.label)}`);
    const label = c.label as string;
    if (labels.has(label)) fail(`${at}.label`, `class ${show(label)} is repeated`);
    labels.add(label);
    return { label, filter: parseFilter(c.filter, `${at}.filter`, fail) };
  });
  if (positiveClass !== undefined && (typeof positiveClass !== 'string' || !labels.has(positiveClass))) {
    fail('positiveClass', `${show(positiveClass)} is not one of the classes ${[...labels].join(', ')}`);
  }
  return {
    name: name as string,
    description: description as string,
    classes: rules,
    ...(positiveClass === undefined ? {} : { positiveClass: positiveClass as string }),
  };
}

function parseFilter(v: unknown, at: string, fail: (key: string, problem: string) => never): RecordFilter {
  if (!isObject(v)) return fail(at, `expected an object of filters, got ${show(v)}`);
  const out: Record<string, unknown> = {};
  for (const [k, value] of Object.entries(v)) {
    const key = `${at}.${k}`;
    switch (k as (typeof FILTER_KEYS)[number]) {
      case 'finding':
      case 'excludeFinding':
      case 'modality':
      case 'views':
        stringList(value, key, fail);
        out[k] = value;
        break;
      case 'sources': {
        const list = stringList(value, key, fail);
        for (const s of list) if (!(SOURCE_KINDS as readonly string[]).includes(s)) fail(key, `unknown source ${show(s)} (one of ${SOURCE_KINDS.join(', ')})`);
        out[k] = value as SourceKind | SourceKind[];
        break;
      }
      case 'sex': {
        const list = stringList(value, key, fail);
        for (const s of list) if (s !== 'M' && s !== 'F') fail(key, `expected "M" or "F", got ${show(s)}`);
        out[k] = value;
        break;
      }
      case 'minAge':
      case 'maxAge':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(key, `expected an age in years (a number >= 0), got ${show(value)}`);
        out[k] = value;
        break;
      case 'keepUnknownAge':
      case 'onePerPatient':
        if (typeof value !== 'boolean') fail(key, `expected true or false, got ${show(value)}`);
        out[k] = value;
        break;
      default:
        fail(key, `unknown filter (allowed: ${FILTER_KEYS.join(', ')})`);
    }
  }
  if (typeof out.minAge === 'number' && typeof out.maxAge === 'number' && out.minAge > out.maxAge) {
    fail(`${at}.maxAge`, `${show(out.maxAge)} is below minAge ${show(out.minAge)}`);
  }
  return out as RecordFilter;
}

function stringList(v: unknown, key: string, fail: (key: string, problem: string) => never): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.trim() !== '')) {
    return fail(key, `expected a non-empty string or list of non-empty strings, got ${show(v)}`);
  }
  return list as string[];
}

/**
 * One line per class, as `cxr dataset recipes` prints them: `covid: source covid-chestxray; finding COVID-19; ...`.
 *
 * @example describeRecipe(BUILT_IN_RECIPES.notebook)[0] // 'covid: finding COVID-19; modality X-ray; view PA'
 */
export function describeRecipe(recipe: Recipe): string[] {
  const one = (v: string | readonly string[]): string => (typeof v === 'string' ? v : v.join(' or '));
  return recipe.classes.map(({ label, filter: f }) => {
    const parts: string[] = [];
    if (f.sources !== undefined) parts.push(`source ${one(f.sources)}`);
    if (f.finding !== undefined) parts.push(`finding ${one(f.finding)}`);
    else if (f.excludeFinding !== undefined) parts.push('any finding');
    if (f.excludeFinding !== undefined) parts.push(`not ${typeof f.excludeFinding === 'string' ? f.excludeFinding : f.excludeFinding.join(', ')}`);
    if (f.modality !== undefined) parts.push(`modality ${one(f.modality)}`);
    if (f.views !== undefined) parts.push(`view ${one(f.views)}`);
    if (f.minAge !== undefined || f.maxAge !== undefined) {
      const range = [f.minAge !== undefined ? `age >= ${f.minAge}` : '', f.maxAge !== undefined ? `age <= ${f.maxAge}` : ''].filter(Boolean).join(' and ');
      parts.push(`${range} (unknown ${f.keepUnknownAge ?? true ? 'kept' : 'dropped'})`);
    }
    if (f.sex !== undefined) parts.push(`sex ${one(f.sex)}`);
    if (f.onePerPatient) parts.push('one image per patient');
    return `${label}: ${parts.length ? parts.join('; ') : 'every record'}`;
  });
}

/**
 * Recipes as text, as `cxr dataset recipes` prints them: each one's description, {@link describeRecipe} lines and
 * decision rule.
 */
export function formatRecipes(recipes: readonly Recipe[]): string {
  const out: string[] = [];
  for (const recipe of recipes) {
    out.push(`${recipe.name}: ${recipe.description}`);
    for (const line of describeRecipe(recipe)) out.push(`  ${line}`);
    out.push(`  decision: ${recipe.positiveClass ? `${recipe.positiveClass} when its probability >= the threshold` : 'the most probable class'}`);
    out.push('');
  }
  out.push('A record goes to the first class that keeps it. A recipe file is JSON with the same keys: cxr dataset build --recipe mine.json');
  return `${out.join('\n')}\n`;
}
