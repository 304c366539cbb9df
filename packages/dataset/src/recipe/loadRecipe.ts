import { readFile } from 'node:fs/promises';
import { RecipeError } from '../errors';
import { BUILT_IN_RECIPES, builtInRecipe } from './builtInRecipes';
import { parseRecipe, type Recipe } from './recipe';

/** Recipe files are small; anything bigger is not a recipe. */
const MAX_RECIPE_BYTES = 1 << 20;

/**
 * A recipe by built-in name (`notebook`, `three-class`, `covid-vs-pneumonia`) or from a JSON file (validated by
 * {@link parseRecipe}: unknown keys refused).
 *
 * @throws {RecipeError} naming the file, the key and the bad value (or the unknown name)
 * @example const recipe = await loadRecipe('three-class'); // or loadRecipe('recipes/mine.json')
 */
export async function loadRecipe(nameOrFile: string): Promise<Recipe> {
  if (Object.hasOwn(BUILT_IN_RECIPES, nameOrFile)) return builtInRecipe(nameOrFile);
  if (!nameOrFile.toLowerCase().endsWith('.json')) return builtInRecipe(nameOrFile);
  let text: string;
  try {
    const bytes = await readFile(nameOrFile);
    if (bytes.length > MAX_RECIPE_BYTES) throw new RecipeError(nameOrFile, '', `file is ${bytes.length} bytes, over the ${MAX_RECIPE_BYTES}-byte limit of a recipe`);
    text = bytes.toString('utf8');
  } catch (cause) {
    if (cause instanceof RecipeError) throw cause;
    throw new RecipeError(nameOrFile, '', `cannot read the file (${(cause as Error).message})`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new RecipeError(nameOrFile, '', `not valid JSON (${(cause as Error).message})`, { cause });
  }
  return parseRecipe(json, nameOrFile);
}
