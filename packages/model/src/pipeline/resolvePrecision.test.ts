import { PipelineInputError } from '../errors';
import { resolvePrecision } from './resolvePrecision';

describe('resolvePrecision', () => {
  it('defaults to fp32 and keeps int8 on onnxruntime or auto', () => {
    expect(resolvePrecision({})).toBe('fp32');
    expect(resolvePrecision({ precision: 'int8', engine: 'onnx' })).toBe('int8');
    expect(resolvePrecision({ precision: 'int8' })).toBe('int8');
  });

  it('refuses another value, and int8 on the tfjs engine, saying why', () => {
    expect(() => resolvePrecision({ precision: 'int4' as never })).toThrow(new PipelineInputError('precision must be fp32 or int8, got "int4"'));
    expect(() => resolvePrecision({ precision: 'int8', engine: 'tfjs' })).toThrow(/int8 runs on onnxruntime only: drop --engine tfjs/);
  });
});
