import { InvalidOptionError, UnknownLabelError } from './errors';
import { multiclassMetrics } from './multiclassMetrics';
import { rocAuc } from './rocAuc';

const classes = ['a', 'b', 'c'];
const labels = ['a', 'a', 'b', 'b', 'c', 'c'];
const probabilities = [
  [0.7, 0.2, 0.1], // a, decided a
  [0.3, 0.4, 0.3], // a, decided b
  [0.2, 0.6, 0.2], // b, decided b
  [0.5, 0.3, 0.2], // b, decided a
  [0.1, 0.2, 0.7], // c, decided c
  [0.2, 0.2, 0.6], // c, decided c
];

describe('multiclassMetrics on a hand-computed 3-class example', () => {
  const m = multiclassMetrics({ classes, labels, probabilities, bootstrap: { iterations: 200, seed: 1 } });

  it('decides by argmax and counts the 3x3 matrix, accuracy, balanced accuracy and kappa', () => {
    expect(m.confusionMatrix.matrix).toEqual([
      [1, 1, 0],
      [1, 1, 0],
      [0, 0, 2],
    ]);
    expect(m.accuracy.value).toBeCloseTo(4 / 6, 12);
    expect(m.balancedAccuracy).toBeCloseTo((0.5 + 0.5 + 1) / 3, 12);
    // po = 4/6, pe = 3 * (2/6)^2 = 1/3: kappa = (2/3 - 1/3) / (2/3) = 0.5.
    expect(m.cohenKappa).toBeCloseTo(0.5, 12);
  });

  it('gives one-vs-rest rates with Wilson intervals (hand: class a tp 1 fn 1 fp 1 tn 3)', () => {
    const a = m.perClass[0];
    expect([a.sensitivity.value, a.specificity.value, a.ppv.value, a.npv.value]).toEqual([0.5, 0.75, 0.5, 0.75]);
    // Wilson 95% for 1/2: centre 0.5, half-width 1.96/(1+1.96^2/2) * sqrt(1/8 + 1.96^2/16) = 0.40547.
    expect(a.sensitivity.lower).toBeCloseTo(0.09453, 4);
    expect(a.sensitivity.upper).toBeCloseTo(0.90547, 4);
    expect(m.perClass.map((c) => [c.support, c.predictedCount])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
  });

  it('gives one-vs-rest AUCs by pair counting (a 7/8, b 7/8, c 1) and their mean', () => {
    expect(m.perClass.map((c) => c.auc.value)).toEqual([0.875, 0.875, 1]);
    expect(m.macroAuc.value).toBeCloseTo((0.875 + 0.875 + 1) / 3, 12);
    for (const c of [...m.perClass.map((x) => x.auc), m.macroAuc]) {
      expect(c.lower).toBeLessThanOrEqual(c.value);
      expect(c.upper).toBeGreaterThanOrEqual(c.lower);
    }
    expect(m.warnings).toEqual([]);
  });

  it("carries scikit-learn's classification report for the same decisions", () => {
    expect(m.report.classes.map((c) => c.f1Score)).toEqual([0.5, 0.5, 1]);
  });
});

describe('multiclassMetrics with two classes and with patients', () => {
  it("the positive class's one-vs-rest AUC is the binary AUC", () => {
    const y = ['p', 'n', 'p', 'n', 'n', 'p'];
    const s = [0.9, 0.9, 0.6, 0.1, 0.3, 0.2];
    const m = multiclassMetrics({ classes: ['p', 'n'], labels: y, probabilities: s.map((v) => [v, 1 - v]) });
    expect(m.perClass[0].auc.value).toBe(rocAuc(y, s, 'p'));
    expect(m.perClass[1].auc.value).toBe(rocAuc(y, s, 'p'));
  });

  it('resamples patients: images of one patient stay together, the same seed gives the same interval', () => {
    const groups = ['p1', 'p1', 'p2', 'p2', 'p3', 'p4'];
    const run = (seed: number) => multiclassMetrics({ classes, labels, probabilities, groups, bootstrap: { iterations: 300, seed } });
    const m = run(7);
    expect(m.aucBootstrap).toMatchObject({ groups: 4, iterations: 300, seed: 7, method: 'patient (group) percentile bootstrap' });
    // Classes a and b each sit in one patient: a resample without p1 or p2 has no a or no b.
    expect(m.aucBootstrap.undefinedResamples).toBeGreaterThan(0);
    expect(run(7).macroAuc).toEqual(m.macroAuc);
  });

  it('says what is undefined when a class has no sample, instead of hiding it', () => {
    const m = multiclassMetrics({ classes, labels: ['a', 'b'], probabilities: [probabilities[0], probabilities[2]], bootstrap: { iterations: 20 } });
    expect(m.perClass[2].sensitivity.value).toBeNaN();
    expect(m.perClass[2].auc.value).toBeNaN();
    expect(m.macroAuc.value).toBeNaN();
    expect(m.warnings).toEqual([
      "c: sensitivity is undefined: no sample labelled 'c'",
      "c: PPV is undefined: no sample decided 'c'",
      "c: AUC is undefined: it needs samples of 'c' and of other classes",
      'macro AUC is undefined: a class has no sample (or every sample is of one class)',
    ]);
    expect(JSON.parse(JSON.stringify(m)).macroAuc).toEqual({ value: null, lower: null, upper: null });
  });

  it('refuses rows of the wrong length and unknown labels', () => {
    expect(() => multiclassMetrics({ classes, labels: ['a'], probabilities: [[0.5, 0.5]] })).toThrow(InvalidOptionError);
    expect(() => multiclassMetrics({ classes, labels: ['d'], probabilities: [[0.2, 0.3, 0.5]] })).toThrow(UnknownLabelError);
  });
});
