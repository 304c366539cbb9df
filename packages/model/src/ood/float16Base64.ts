import { encodeFloat16 } from '../io/encodeFloat16';

/** float32 -> half-precision bits, little-endian bytes, base64 (`btoa`: browser and Node >= 16). */
export function toFloat16Base64(values: Float32Array): string {
  const half = encodeFloat16(values);
  const bytes = new Uint8Array(half.length * 2);
  const view = new DataView(bytes.buffer);
  half.forEach((h, i) => view.setUint16(i * 2, h, true));
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The inverse of {@link toFloat16Base64}. Hand-written: tfjs decodes float16 only inside its weight loader. */
export function fromFloat16Base64(text: string): Float32Array {
  const s = atob(text);
  const out = new Float32Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) {
    const h = s.charCodeAt(2 * i) | (s.charCodeAt(2 * i + 1) << 8);
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    out[i] = exp === 0 ? sign * mant * 2 ** -24 : exp === 0x1f ? (mant ? NaN : sign * Infinity) : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}
