import { classificationReport } from './classificationReport';

describe('classificationReport', () => {
  it('matches the scikit-learn docs example by hand', () => {
    // y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1]
    // class 0: tp 1, predicted 2, support 1 -> P 0.5, R 1, F1 2/3
    // class 1: tp 0, predicted 1, support 1 -> P 0, R 0, F1 0
    // class 2: tp 2, predicted 2, support 3 -> P 1, R 2/3, F1 0.8
    const r = classificationReport(['0', '1', '2', '2', '2'], ['0', '0', '2', '2', '1'], { labels: ['0', '1', '2'] });
    expect(r.classes.map((c) => [c.label, c.precision, c.recall, c.support])).toEqual([
      ['0', 0.5, 1, 1],
      ['1', 0, 0, 1],
      ['2', 1, 2 / 3, 3],
    ]);
    expect(r.classes[0].f1Score).toBeCloseTo(2 / 3, 15);
    expect(r.classes[2].f1Score).toBeCloseTo(0.8, 15);
    expect(r.accuracy).toBe(0.6);
    expect(r.macroAvg.precision).toBeCloseTo(0.5, 15);
    expect(r.macroAvg.recall).toBeCloseTo((1 + 0 + 2 / 3) / 3, 15);
    expect(r.weightedAvg.precision).toBeCloseTo((0.5 * 1 + 0 * 1 + 1 * 3) / 5, 15);
    expect(r.weightedAvg.f1Score).toBeCloseTo((2 / 3 + 0 + 0.8 * 3) / 5, 15);
    expect(r.macroAvg.support).toBe(5);
  });

  it('reports a never-predicted class precision as NaN (null in JSON) and skips it in averages', () => {
    const r = classificationReport(['a', 'b', 'b'], ['a', 'a', 'a'], { labels: ['a', 'b'] });
    expect(r.classes[1].precision).toBeNaN();
    expect(r.classes[1].recall).toBe(0);
    expect(r.classes[1].f1Score).toBe(0);
    expect(r.macroAvg.precision).toBeCloseTo(1 / 3, 15); // only class a's 1/3 counts
    expect(JSON.parse(JSON.stringify(r)).classes[1].precision).toBeNull();
  });
});
