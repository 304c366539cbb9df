import type { RecordFilter } from '../metadata/recordFilter';
import type { Recipe } from '../recipe/recipe';

/** One class of a build: its label (the output folder and manifest `label`) and the records it takes. */
export interface ClassRule {
  /** Class label, a plain folder name: `covid`, `normal`. */
  label: string;
  /** The records of this class. For `folder` sources only `finding` applies (the folder is the metadata). */
  filter: RecordFilter;
}

/**
 * The notebook's recipe: covid = finding COVID-19 (hierarchy-aware), view PA, X-ray; normal = "No Finding", view
 * PA, X-ray, adults (18+; a record without an age is kept), since pediatric normals are a known shortcut for a
 * classifier. A record goes to the first class whose filter keeps it.
 */
export const DEFAULT_RECIPE: readonly ClassRule[] = [
  { label: 'covid', filter: { finding: 'COVID-19', modality: 'X-ray', views: ['PA'] } },
  { label: 'normal', filter: { finding: 'No Finding', modality: 'X-ray', views: ['PA'], minAge: 18 } },
];

/** The classes a recipe makes, in output order, and its positive class. */
export interface RecipeClasses {
  classes: string[];
  /**
   * The class a decision threshold applies to (`covid` in {@link DEFAULT_RECIPE}), or `null` when the recipe decides
   * by the most probable class (a named recipe without `positiveClass`, such as `three-class`).
   */
  positiveClass: string | null;
}

/**
 * The class list (in the recipe's order, which is a model's output order) and the positive class of a build
 * recipe: a named {@link Recipe}'s `positiveClass` (`null`: decide by argmax), or for bare class rules the first
 * rule. A trained model keeps both in its `cxr.json`; this is where they come from at build time.
 *
 * @example recipeClasses() // { classes: ['covid', 'normal'], positiveClass: 'covid' }
 */
export function recipeClasses(recipe: readonly ClassRule[] | Recipe = DEFAULT_RECIPE): RecipeClasses {
  const rules = Array.isArray(recipe) ? (recipe as readonly ClassRule[]) : (recipe as Recipe).classes;
  if (rules.length === 0) throw new RangeError('A recipe needs at least one class');
  const positiveClass = Array.isArray(recipe) ? rules[0].label : ((recipe as Recipe).positiveClass ?? null);
  return { classes: rules.map((r) => r.label), positiveClass };
}
