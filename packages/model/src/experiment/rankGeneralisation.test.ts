import { TrainingInputError } from '../errors';
import { thresholdAtSensitivity } from './rankGeneralisation';

describe('thresholdAtSensitivity', () => {
  it('is the highest threshold keeping at least the target share of positives at or above it (by hand)', () => {
    // 4 positives: 0.75 needs 3 of them -> the third highest score
    expect(thresholdAtSensitivity([0.6, 0.9, 0.7, 0.8], 0.75)).toBe(0.7);
    // 20 positives, 0.95 -> 19 of them: the 19th highest, so exactly one may fall below
    const scores = Array.from({ length: 20 }, (_, i) => i / 20);
    const t = thresholdAtSensitivity(scores, 0.95);
    expect(t).toBe(0.05);
    expect(scores.filter((s) => s >= t).length).toBe(19);
    // 10 positives at 0.95 -> ceil(9.5) = 10: all of them
    expect(thresholdAtSensitivity([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1], 0.95)).toBe(0.1);
  });

  it('refuses an empty list', () => {
    expect(() => thresholdAtSensitivity([], 0.95)).toThrow(TrainingInputError);
  });
});
