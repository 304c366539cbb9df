import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RecipeError } from '../errors';
import { loadRecipe } from './loadRecipe';

describe('loadRecipe', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-recipe-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives a built-in recipe by name', async () => {
    expect((await loadRecipe('three-class')).classes.map((c) => c.label)).toEqual(['covid', 'pneumonia', 'normal']);
  });

  it('reads and validates a JSON file', async () => {
    const file = path.join(dir, 'ok.json');
    const recipe = { name: 'two', description: 'd', classes: [{ label: 'a', filter: { finding: 'A' } }, { label: 'b', filter: {} }] };
    await writeFile(file, JSON.stringify(recipe));
    expect(await loadRecipe(file)).toEqual(recipe);
  });

  it('names the file and the key of a bad value', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ name: 'x', description: 'd', classes: [{ label: 'a', filter: { views: 3 } }, { label: 'b', filter: {} }] }));
    await expect(loadRecipe(file)).rejects.toThrow(new RecipeError(file, 'classes[0].filter.views', 'expected a non-empty string or list of non-empty strings, got 3'));
  });

  it('says when the file is not JSON, is absent, or the name is unknown', async () => {
    const file = path.join(dir, 'broken.json');
    await writeFile(file, '{ "name": ');
    await expect(loadRecipe(file)).rejects.toThrow(/Bad recipe .*broken\.json: not valid JSON/);
    await expect(loadRecipe(path.join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read the file/);
    await expect(loadRecipe('four-class')).rejects.toThrow(/Bad recipe four-class: no built-in recipe of this name/);
  });
});
