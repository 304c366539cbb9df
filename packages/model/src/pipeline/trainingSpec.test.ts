import { DEFAULT_PREPROCESS_SPEC } from '@cxr/preprocess';
import { PipelineOptionsError } from '../errors';
import { LUNG_CROP } from '../experiment/mitigations';
import { trainingSpec } from './trainingSpec';

describe('trainingSpec', () => {
  it('is the backbone spec itself without mitigations, and adds CLAHE and the lung crop when asked', () => {
    expect(trainingSpec(DEFAULT_PREPROCESS_SPEC, {})).toBe(DEFAULT_PREPROCESS_SPEC);
    expect(trainingSpec(DEFAULT_PREPROCESS_SPEC, { clahe: false, lungCrop: false })).toBe(DEFAULT_PREPROCESS_SPEC);
    const both = trainingSpec(DEFAULT_PREPROCESS_SPEC, { clahe: true, lungCrop: true });
    expect(both).toEqual({ ...DEFAULT_PREPROCESS_SPEC, clahe: { tileGridSize: 8, clipLimit: 2 }, lungCrop: { x: 0.1, y: 0.08, width: 0.8, height: 0.8 } });
    expect(both.lungCrop).toEqual(LUNG_CROP);
    // CLAHE alone: no lungCrop key at all (the spec, its cxr.json and its cache key are as before the field)
    expect('lungCrop' in trainingSpec(DEFAULT_PREPROCESS_SPEC, { clahe: true })).toBe(false);
    expect(trainingSpec(DEFAULT_PREPROCESS_SPEC, { lungCrop: { x: 0, y: 0.25, width: 1, height: 0.5 } }).lungCrop).toEqual({ x: 0, y: 0.25, width: 1, height: 0.5 });
  });

  it('refuses a rectangle outside the image with a PipelineOptionsError naming it', () => {
    const bad = { x: 0.5, y: 0, width: 0.6, height: 1 };
    expect(() => trainingSpec(DEFAULT_PREPROCESS_SPEC, { lungCrop: bad })).toThrow(PipelineOptionsError);
    expect(() => trainingSpec(DEFAULT_PREPROCESS_SPEC, { lungCrop: bad })).toThrow(/lungCrop \{"x":0.5,"y":0,"width":0.6,"height":1\}: .*lungCrop.x \+ lungCrop.width must be at most 1/);
  });
});
