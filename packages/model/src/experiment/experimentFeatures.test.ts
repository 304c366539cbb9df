import { cropFraction } from './experimentFeatures';
import { LUNG_CROP, MITIGATION_NAMES, resolveMitigation } from './mitigations';
import { PipelineOptionsError } from '../errors';

describe('cropFraction', () => {
  it('keeps the asked central rectangle of the raw pixels', () => {
    // 10x10, value = 10 * y + x; the lung crop keeps x 1..8, y 0..7 (floor(0.8) = 0, round(8) = 8 rows).
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const c = cropFraction({ data, width: 10, height: 10, channels: 1 }, LUNG_CROP);
    expect([c.width, c.height]).toEqual([8, 8]);
    expect(c.data[0]).toBe(1); // (x 1, y 0)
    expect(c.data[8 * 8 - 1]).toBe(78); // (x 8, y 7)
    expect(c.data).toBeInstanceOf(Uint8Array);
  });
});

describe('resolveMitigation', () => {
  it('knows every listed mitigation and refuses others with a PipelineOptionsError listing them', () => {
    for (const name of MITIGATION_NAMES) expect(resolveMitigation(name).name).toBe(name);
    expect(resolveMitigation('clahe').clahe).toBe(true);
    expect(resolveMitigation('none').clahe).toBe(false);
    expect(() => resolveMitigation('magic')).toThrow(PipelineOptionsError);
    expect(() => resolveMitigation('magic')).toThrow(/expected one of none, clahe/);
  });
});
