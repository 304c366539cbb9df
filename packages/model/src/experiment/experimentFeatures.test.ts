import { MITIGATION_NAMES, resolveMitigation } from './mitigations';
import { PipelineOptionsError } from '../errors';

describe('resolveMitigation', () => {
  it('knows every listed mitigation and refuses others with a PipelineOptionsError listing them', () => {
    for (const name of MITIGATION_NAMES) expect(resolveMitigation(name).name).toBe(name);
    expect(resolveMitigation('clahe').clahe).toBe(true);
    expect(resolveMitigation('none').clahe).toBe(false);
    expect(() => resolveMitigation('magic')).toThrow(PipelineOptionsError);
    expect(() => resolveMitigation('magic')).toThrow(/expected one of none, clahe/);
  });
});
