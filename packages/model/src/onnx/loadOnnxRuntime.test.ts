// Deliberately in Jest's default environment (no nodeRealmEnvironment): onnxruntime cannot return its
// outputs here, and loadOnnxRuntime must say so instead of failing later, at the first real run.
import { OnnxRuntimeError } from '../errors';
import { isOnnxRuntimeAvailable, loadOnnxRuntime } from './loadOnnxRuntime';

it('detects a JavaScript realm where onnxruntime cannot run (Jest vm context) and names the fix', async () => {
  expect(await isOnnxRuntimeAvailable()).toBe(false);
  await expect(loadOnnxRuntime()).rejects.toThrow(OnnxRuntimeError);
  await expect(loadOnnxRuntime()).rejects.toThrow(/cannot run here \(its outputs come from another JavaScript realm: under Jest, use the test environment .*nodeRealmEnvironment\.cjs\)/);
});
