import { DEFAULT_RECIPE } from '../build/defaultRecipe';
import { RecipeError } from '../errors';
import type { Recipe } from './recipe';

/** Findings of covid-chestxray that are not "another finding": COVID-19 itself, normals, and unlabelled rows. */
const NOT_OTHER_PNEUMONIA = ['COVID-19', 'No Finding', 'todo'];

/**
 * The built-in recipes, by name:
 * - `notebook`: the seed notebook's question, covid (COVID-19, PA X-ray) vs normal ("No Finding", PA X-ray, adults
 *   where the age is known). On the shared data: 163 covid, 110 normal.
 * - `three-class`: COVID-Net's three classes: covid, pneumonia (every other finding of covid-chestxray: bacterial,
 *   viral and fungal pneumonias, SARS, ARDS...; PA X-ray) and normal (as the notebook's). Decided by argmax.
 * - `covid-vs-pneumonia`: covid vs every other finding inside covid-chestxray only (PA X-ray), so the image's
 *   source cannot give the answer.
 */
export const BUILT_IN_RECIPES: Readonly<Record<string, Recipe>> = {
  notebook: {
    name: 'notebook',
    description: "The seed notebook's question: COVID-19 or normal? (The answer on public data is mostly the image's source.)",
    classes: DEFAULT_RECIPE.map((r) => ({ label: r.label, filter: { ...r.filter } })),
    positiveClass: 'covid',
  },
  'three-class': {
    name: 'three-class',
    description: 'COVID-19 vs other pneumonia vs normal (COVID-Net\'s three classes), PA X-rays, decided by the most probable class.',
    classes: [
      { label: 'covid', filter: { finding: 'COVID-19', modality: 'X-ray', views: ['PA'] } },
      {
        label: 'pneumonia',
        filter: { sources: ['covid-chestxray'], excludeFinding: NOT_OTHER_PNEUMONIA, modality: 'X-ray', views: ['PA'] },
      },
      { label: 'normal', filter: { finding: 'No Finding', modality: 'X-ray', views: ['PA'], minAge: 18 } },
    ],
  },
  'covid-vs-pneumonia': {
    name: 'covid-vs-pneumonia',
    description: 'COVID-19 vs every other finding inside covid-chestxray only (PA X-rays): one collection, so the source cannot give the answer.',
    classes: [
      { label: 'covid', filter: { sources: ['covid-chestxray'], finding: 'COVID-19', modality: 'X-ray', views: ['PA'] } },
      {
        label: 'pneumonia',
        filter: { sources: ['covid-chestxray'], excludeFinding: NOT_OTHER_PNEUMONIA, modality: 'X-ray', views: ['PA'] },
      },
    ],
    positiveClass: 'covid',
  },
};

/**
 * A built-in recipe by name (a copy: changing it changes nothing here).
 *
 * @throws {RecipeError} for an unknown name, listing the known ones
 * @example builtInRecipe('three-class').classes.map((c) => c.label) // ['covid', 'pneumonia', 'normal']
 */
export function builtInRecipe(name: string): Recipe {
  const recipe = BUILT_IN_RECIPES[name];
  if (recipe === undefined || !Object.hasOwn(BUILT_IN_RECIPES, name)) {
    throw new RecipeError(name, '', `no built-in recipe of this name (built in: ${Object.keys(BUILT_IN_RECIPES).join(', ')}; or give a .json file)`);
  }
  return structuredClone(recipe);
}
