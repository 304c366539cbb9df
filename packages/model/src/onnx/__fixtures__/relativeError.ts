/**
 * max |a - b| / max |b|: relative to the reference's scale, so near-zero outputs do not blow it up.
 * Fails the test when the lengths differ or the reference is all zeros (nothing would be compared).
 */
export function relativeError(actual: Float32Array, reference: Float32Array): number {
  expect(actual.length).toBe(reference.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - reference[i]));
    scale = Math.max(scale, Math.abs(reference[i]));
  }
  expect(scale).toBeGreaterThan(0);
  return diff / scale;
}
