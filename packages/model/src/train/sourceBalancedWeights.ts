import { TrainingInputError } from '../errors';

/**
 * Per-sample loss weights that make every source weigh the same WITHIN each class, keeping each class's total:
 * sample i of class c from source s gets `n_c / (S_c * n_cs)`, where `n_c` counts class c, `S_c` the sources that
 * class c has and `n_cs` the samples of class c from source s. A class with one source keeps weight 1.
 * This is source-balanced sampling realised as weights (the expectation of oversampling each source x class cell to
 * the size of its class's largest, without copies); class weights, if any, multiply on top.
 *
 * @param labels class index of each sample
 * @param sources source index of each sample (same length)
 * @example sourceBalancedWeights([0, 0, 0, 1], [0, 0, 1, 0]) // [0.75, 0.75, 1.5, 1]
 */
export function sourceBalancedWeights(labels: readonly number[], sources: readonly number[]): number[] {
  if (labels.length !== sources.length) throw new TrainingInputError(`${labels.length} labels but ${sources.length} sources`);
  const count = cellCounts(labels, sources);
  return labels.map((c, i) => {
    const { n, k, ncs } = count(c, sources[i]);
    return n / (k * ncs);
  });
}

/** Of a class c and source s: `n` samples of class c, `k` sources in class c, `ncs` samples of c from s. */
export interface CellCount {
  n: number;
  k: number;
  ncs: number;
}

/** Counts per class and per class x source cell: `count(c, s)` for a class and a source present in the data. */
export function cellCounts(labels: readonly number[], sources: readonly number[]): (c: number, s: number) => CellCount {
  const perClass = new Map<number, number>();
  const perCell = new Map<string, number>();
  const sourcesOf = new Map<number, Set<number>>();
  labels.forEach((c, i) => {
    const s = sources[i];
    perClass.set(c, (perClass.get(c) ?? 0) + 1);
    perCell.set(`${c}|${s}`, (perCell.get(`${c}|${s}`) ?? 0) + 1);
    sourcesOf.set(c, (sourcesOf.get(c) ?? new Set<number>()).add(s));
  });
  return (c, s) => ({ n: perClass.get(c) ?? 0, k: sourcesOf.get(c)?.size ?? 0, ncs: perCell.get(`${c}|${s}`) ?? 0 });
}
