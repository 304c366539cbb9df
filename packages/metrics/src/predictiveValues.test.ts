import { InvalidOptionError } from './errors';
import { predictiveValues } from './predictiveValues';

describe('predictiveValues', () => {
  it('matches a counted population: 1000 people, 5% diseased, se 0.9, sp 0.95', () => {
    // 50 diseased -> 45 true positives, 5 false negatives; 950 healthy -> 47.5 false positives, 902.5 true negatives
    const r = predictiveValues({ sensitivity: 0.9, specificity: 0.95, prevalence: 0.05 });
    expect(r.ppv).toBeCloseTo(45 / (45 + 47.5), 12);
    expect(r.npv).toBeCloseTo(902.5 / (902.5 + 5), 12);
    expect(r.ppv).toBeCloseTo(0.486486, 6);
  });

  it('PPV falls with prevalence as the formula says (se 1.0, sp 0.81: the internal test of docs/honest-evaluation.md)', () => {
    // p = 0.61 (25 covid of 41): 0.61 / (0.61 + 0.19 * 0.39) = 0.8917; p = 0.01: 0.01 / (0.01 + 0.19 * 0.99) = 0.0505
    expect(predictiveValues({ sensitivity: 1, specificity: 0.81, prevalence: 0.61 }).ppv).toBeCloseTo(0.8917, 4);
    expect(predictiveValues({ sensitivity: 1, specificity: 0.81, prevalence: 0.01 }).ppv).toBeCloseTo(0.0505, 4);
    expect(predictiveValues({ sensitivity: 1, specificity: 0.81, prevalence: 0.01 }).npv).toBe(1);
  });

  it('gives NaN for 0/0 and refuses values outside [0, 1]', () => {
    expect(predictiveValues({ sensitivity: 0, specificity: 1, prevalence: 0.5 }).ppv).toBeNaN();
    expect(() => predictiveValues({ sensitivity: 0.9, specificity: 0.9, prevalence: 5 })).toThrow(InvalidOptionError);
    expect(() => predictiveValues({ sensitivity: NaN, specificity: 0.9, prevalence: 0.1 })).toThrow(/sensitivity/);
  });
});
