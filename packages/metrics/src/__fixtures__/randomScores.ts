import { createRng } from '../createRng';

/**
 * Random labelled scores for property tests (coarse scores so ties are common).
 * @internal test helper
 */
export function randomScores(n: number, seed: number): { labels: string[]; scores: number[] } {
  const rng = createRng(seed);
  const labels: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const positive = rng.next() < 0.4;
    labels.push(positive ? 'covid' : 'normal');
    scores.push(Math.min(1, Math.round((rng.next() * 0.7 + (positive ? 0.3 : 0)) * 20) / 20));
  }
  return { labels, scores };
}

/** AUC by brute force over every (positive, negative) pair: the definition, independent of any sorting. */
export function pairwiseAuc(labels: readonly string[], scores: readonly number[], positive: string): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== positive) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] === positive) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}
