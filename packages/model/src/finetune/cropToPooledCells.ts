/**
 * The cells of each HWC feature map that the head's `valid` average pooling (pool and stride `pool`) reads: the
 * top-left `floor(h / pool) * pool` x `floor(w / pool) * pool` cells (the 4x4 of a 7x7 map). With fine-tuned blocks in
 * front of the pooling (per-position layers), training on these cells alone gives the same model as on the whole maps,
 * at a fraction of the cost (16 of 49 positions for MobileNet at 224); the saved model still takes whole maps.
 *
 * @example cropToPooledCells(maps, [7, 7, 512], 4).shape // [4, 4, 512]
 */
export function cropToPooledCells(
  maps: readonly Float32Array[],
  shape: readonly [number, number, number],
  pool: number,
): { features: Float32Array[]; shape: [number, number, number] } {
  const [h, w, c] = shape;
  const ch = Math.floor(h / pool) * pool;
  const cw = Math.floor(w / pool) * pool;
  if (ch === h && cw === w) return { features: [...maps], shape: [h, w, c] };
  const features = maps.map((m) => {
    const out = new Float32Array(ch * cw * c);
    for (let y = 0; y < ch; y++) out.set(m.subarray(y * w * c, y * w * c + cw * c), y * cw * c);
    return out;
  });
  return { features, shape: [ch, cw, c] };
}
