/**
 * IEEE 754 half-precision bits of each float32, rounded to nearest-even (overflow to +-Infinity,
 * subnormals kept, NaN kept). tfjs decodes them with the weights-manifest quantisation `float16`.
 *
 * @example encodeFloat16(Float32Array.of(1, 65504, -2)) // Uint16Array [0x3c00, 0x7bff, 0xc000]
 */
export function encodeFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0); // Inf or NaN
      continue;
    }
    let e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00; // overflow
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign; // underflow to signed zero
        continue;
      }
      mant |= 0x800000; // implicit leading 1, then shift into a subnormal
      const shift = 14 - e;
      const half = 1 << (shift - 1);
      let m = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      if (rest > half || (rest === half && m & 1)) m++;
      out[i] = sign | m; // m may carry into the smallest normal, which is the right encoding
      continue;
    }
    let m = mant >>> 13;
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
      m++;
      if (m === 0x400) {
        m = 0;
        e++;
        if (e >= 0x1f) {
          out[i] = sign | 0x7c00;
          continue;
        }
      }
    }
    out[i] = sign | (e << 10) | m;
  }
  return out;
}
