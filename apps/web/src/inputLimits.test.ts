import { InputFileError, WebAppError } from './errors';
import { checkFileSize, checkImageSize, INPUT_LIMITS } from './inputLimits';

describe('input limits', () => {
  test('file size: 50 MiB = 52,428,800 bytes is accepted, one byte more is refused, empty is refused', () => {
    expect(INPUT_LIMITS.maxBytes).toBe(52_428_800);
    expect(() => checkFileSize('a.png', 52_428_800)).not.toThrow();
    expect(() => checkFileSize('a.png', 52_428_801)).toThrow(new InputFileError('a.png is 50.0 MiB, over the 50.0 MiB limit of this demo'));
    expect(() => checkFileSize('e.dcm', 0)).toThrow('e.dcm is empty');
  });

  test('image size: 64x64 is the smallest, 50 megapixels the largest', () => {
    expect(() => checkImageSize('a.png', 64, 64)).not.toThrow();
    expect(() => checkImageSize('a.png', 63, 2000)).toThrow('a.png is 63x2000 pixels: too small to be a chest X-ray (at least 64x64)');
    expect(() => checkImageSize('a.png', 10_000, 5_000)).not.toThrow();
    const error = (() => {
      try {
        checkImageSize('b.png', 10_000, 5_001);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputFileError);
    expect(error).toBeInstanceOf(WebAppError);
    expect((error as Error).message).toBe('b.png is 10000x5001 (50.0 megapixels), over the 50 megapixel limit of this demo');
  });
});
