import { describePreprocessSpec } from './describePreprocessSpec';
import { PreprocessSpecError } from './errors';
import { parsePreprocessSpec } from './parsePreprocessSpec';
import { DEFAULT_PREPROCESS_SPEC } from './preprocessSpec';

describe('parsePreprocessSpec', () => {
  it('accepts the default spec as JSON text and returns an equal frozen copy', () => {
    const spec = parsePreprocessSpec(JSON.stringify(DEFAULT_PREPROCESS_SPEC));
    expect(spec).toEqual(DEFAULT_PREPROCESS_SPEC);
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it('accepts CLAHE and other modes', () => {
    const spec = parsePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, resizeMode: 'letterbox', normalization: 'vgg16-caffe', clahe: { tileGridSize: 8, clipLimit: 2 } });
    expect(spec.clahe).toEqual({ tileGridSize: 8, clipLimit: 2 });
  });

  it.each([
    [{ ...DEFAULT_PREPROCESS_SPEC, width: 0 }, /width must be an integer in \[1, 8192\], got 0/],
    [{ ...DEFAULT_PREPROCESS_SPEC, channels: 2 }, /channels must be 1 or 3, got 2/],
    [{ ...DEFAULT_PREPROCESS_SPEC, resizeMode: 'squash' }, /resizeMode must be one of stretch, letterbox, crop, got "squash"/],
    [{ ...DEFAULT_PREPROCESS_SPEC, normalization: 'imagenet' }, /normalization must be one of/],
    [{ ...DEFAULT_PREPROCESS_SPEC, channels: 1, normalization: 'vgg16-caffe' }, /vgg16-caffe needs channels 3/],
    [{ ...DEFAULT_PREPROCESS_SPEC, clahe: { tileGridSize: 8, clipLimit: 0.5 } }, /clahe.clipLimit must be a number >= 1, got 0.5/],
    [{ ...DEFAULT_PREPROCESS_SPEC, version: 2 }, /unsupported version 2/],
    [{ ...DEFAULT_PREPROCESS_SPEC, extra: 1 }, /unknown field "extra"/],
    [{ version: 1 }, /missing field "height"/],
  ])('refuses %j', (value, message) => {
    expect(() => parsePreprocessSpec(value, 'model/cxr.json')).toThrow(PreprocessSpecError);
    expect(() => parsePreprocessSpec(value, 'model/cxr.json')).toThrow(message);
    expect(() => parsePreprocessSpec(value, 'model/cxr.json')).toThrow(/model\/cxr\.json/);
  });

  it('refuses text that is not JSON, naming the source', () => {
    expect(() => parsePreprocessSpec('{nope', 'm.json')).toThrow('Preprocess spec in m.json is not valid JSON');
  });
});

describe('describePreprocessSpec', () => {
  it('describes the default and a CLAHE spec', () => {
    expect(describePreprocessSpec(DEFAULT_PREPROCESS_SPEC)).toBe('grey -> stretch to 224x224 -> 3 channels -> scaled to [0, 1]');
    expect(describePreprocessSpec({ ...DEFAULT_PREPROCESS_SPEC, cropBorder: true, clahe: { tileGridSize: 8, clipLimit: 2 }, normalization: 'mobilenet', resizeMode: 'crop' })).toBe(
      'grey -> crop uniform borders -> CLAHE (tiles 8x8, clip limit 2) -> centre crop to 224x224 -> 3 channels -> scaled to [-1, 1]',
    );
  });
});
