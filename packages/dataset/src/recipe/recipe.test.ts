import { RecipeError } from '../errors';
import { createRecordFilter } from '../metadata/recordFilter';
import type { SourceRecord } from '../metadata/sourceRecord';
import { BUILT_IN_RECIPES, builtInRecipe } from './builtInRecipes';
import { describeRecipe, parseRecipe } from './recipe';

const valid = {
  name: 'mine',
  description: 'covid vs normal',
  positiveClass: 'covid',
  classes: [
    { label: 'covid', filter: { finding: 'COVID-19', views: ['PA'] } },
    { label: 'normal', filter: { finding: 'No Finding', views: 'PA', minAge: 18, sources: ['nih-cxr14'] } },
  ],
};
const withClass = (i: number, filter: unknown): unknown => ({ ...valid, classes: valid.classes.map((c, k) => (k === i ? { ...c, filter } : c)) });

function errorOf(json: unknown): RecipeError {
  try {
    parseRecipe(json, 'r.json');
  } catch (e) {
    if (e instanceof RecipeError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('parseRecipe', () => {
  it('returns a valid recipe as given (a single string stays allowed where a list is)', () => {
    expect(parseRecipe(valid, 'r.json')).toEqual(valid);
  });

  it.each([
    [{ ...valid, colour: 'red' }, 'colour', /unknown key/],
    [withClass(1, { ...valid.classes[1].filter, view: 'PA' }), 'classes[1].filter.view', /unknown filter/],
    [withClass(0, { views: [] }), 'classes[0].filter.views', /non-empty/],
    [withClass(0, { minAge: -3 }), 'classes[0].filter.minAge', /-3/],
    [withClass(0, { minAge: 60, maxAge: 18 }), 'classes[0].filter.maxAge', /below minAge 60/],
    [withClass(0, { sources: ['kaggle'] }), 'classes[0].filter.sources', /unknown source "kaggle"/],
    [withClass(0, { sex: 'male' }), 'classes[0].filter.sex', /"male"/],
    [withClass(0, { onePerPatient: 'yes' }), 'classes[0].filter.onePerPatient', /"yes"/],
    [{ ...valid, positiveClass: 'pneumonia' }, 'positiveClass', /"pneumonia" is not one of the classes covid, normal/],
    [{ ...valid, classes: [valid.classes[0], { ...valid.classes[0] }] }, 'classes[1].label', /repeated/],
    [{ ...valid, classes: [valid.classes[0], { label: '../x', filter: {} }] }, 'classes[1].label', /"\.\.\/x"/],
    [{ ...valid, classes: [valid.classes[0]] }, 'classes', /at least two/],
    [{ ...valid, name: undefined }, 'name', /undefined/],
  ])('refuses a bad value, naming the file, the key and the value (%#)', (json, key, message) => {
    const e = errorOf(json);
    expect(e.key).toBe(key);
    expect(e.file).toBe('r.json');
    expect(e.message).toContain(`Bad recipe r.json at ${key}`);
    expect(e.message).toMatch(message);
  });

  it('refuses what is not an object', () => {
    expect(errorOf([1, 2]).message).toBe('Bad recipe r.json: expected a JSON object, got [1,2]');
  });
});

const rec = (o: Partial<SourceRecord>): SourceRecord => ({
  imagePath: '/x.png',
  finding: '',
  labels: [],
  patientId: '1',
  view: 'PA',
  sex: 'F',
  age: 40,
  modality: 'X-ray',
  source: 'covid-chestxray',
  originalPath: 'x.png',
  row: 2,
  ...o,
});

/** The class a record goes to: the first whose filter keeps it (as buildDataset assigns them). */
function classOf(name: string, r: SourceRecord): string | undefined {
  return builtInRecipe(name).classes.find((c) => createRecordFilter(c.filter).test(r) === null)?.label;
}

describe('built-in recipes', () => {
  it('lists notebook, three-class and covid-vs-pneumonia, each valid as a JSON file would be', () => {
    expect(Object.keys(BUILT_IN_RECIPES)).toEqual(['notebook', 'three-class', 'covid-vs-pneumonia']);
    for (const r of Object.values(BUILT_IN_RECIPES)) expect(parseRecipe(JSON.parse(JSON.stringify(r)), r.name)).toEqual(r);
  });

  it('three-class sends each kind of record to the class COVID-Net would', () => {
    expect(classOf('three-class', rec({ labels: ['COVID-19', 'ARDS'] }))).toBe('covid');
    expect(classOf('three-class', rec({ labels: ['Pneumocystis'] }))).toBe('pneumonia');
    expect(classOf('three-class', rec({ labels: ['SARS'], view: 'AP' }))).toBeUndefined();
    expect(classOf('three-class', rec({ labels: ['todo'] }))).toBeUndefined();
    expect(classOf('three-class', rec({ labels: ['No Finding'] }))).toBe('normal');
    expect(classOf('three-class', rec({ labels: ['No Finding'], age: 9 }))).toBeUndefined();
    // NIH findings other than "No Finding" are not the collection's pneumonias.
    expect(classOf('three-class', rec({ labels: ['Pneumonia'], source: 'nih-cxr14' }))).toBeUndefined();
  });

  it('covid-vs-pneumonia stays inside covid-chestxray and names its positive class', () => {
    expect(classOf('covid-vs-pneumonia', rec({ labels: ['COVID-19'], source: 'covidx' }))).toBeUndefined();
    expect(classOf('covid-vs-pneumonia', rec({ labels: ['Streptococcus'] }))).toBe('pneumonia');
    expect(classOf('covid-vs-pneumonia', rec({ labels: ['No Finding'] }))).toBeUndefined();
    expect(builtInRecipe('covid-vs-pneumonia').positiveClass).toBe('covid');
    expect(builtInRecipe('three-class').positiveClass).toBeUndefined();
  });

  it('gives a copy, and an unknown name lists the known ones', () => {
    builtInRecipe('notebook').classes[0].label = 'changed';
    expect(builtInRecipe('notebook').classes[0].label).toBe('covid');
    expect(() => builtInRecipe('toString')).toThrow(/no built-in recipe.*notebook, three-class, covid-vs-pneumonia/);
  });

  it('describes each class on one line', () => {
    expect(describeRecipe(builtInRecipe('three-class'))).toEqual([
      'covid: finding COVID-19; modality X-ray; view PA',
      'pneumonia: source covid-chestxray; any finding; not COVID-19, No Finding, todo; modality X-ray; view PA',
      'normal: finding No Finding; modality X-ray; view PA; age >= 18 (unknown kept)',
    ]);
  });
});
