import { binaryMetrics } from './binaryMetrics';
import { EmptyInputError, InvalidScoreError, LengthMismatchError, MetricsError, UnknownLabelError } from './errors';
import { rocAuc } from './rocAuc';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('typed errors', () => {
  it('LengthMismatchError names both lengths and the source', () => {
    const e = thrown(() => binaryMetrics({ labels: ['a', 'b'], scores: [0.1], positiveLabel: 'a', source: 'preds.csv' }));
    expect(e).toBeInstanceOf(LengthMismatchError);
    expect(e).toBeInstanceOf(MetricsError);
    expect(e.message).toBe('Length mismatch in preds.csv: labels has 2 entries but scores has 1');
    expect((e as MetricsError).source).toBe('preds.csv');
  });

  it('EmptyInputError for no samples', () => {
    const e = thrown(() => rocAuc([], [], 'covid'));
    expect(e).toBeInstanceOf(EmptyInputError);
    expect(e.message).toBe('No samples: labels is empty');
  });

  it.each([
    [NaN, 'NaN'],
    [1.5, '1.5'],
    [-0.1, '-0.1'],
    [Infinity, 'Infinity'],
  ])('InvalidScoreError names the index and the value %p', (bad, shown) => {
    const e = thrown(() => rocAuc(['a', 'b', 'a'], [0.2, bad, 0.3], 'a', { source: 'preds.csv' }));
    expect(e).toBeInstanceOf(InvalidScoreError);
    expect(e.message).toBe(`Invalid score at index 1 in preds.csv: ${shown} is not a number in [0, 1]`);
    expect((e as InvalidScoreError).index).toBe(1);
  });

  it('UnknownLabelError when the negative label equals the positive', () => {
    const e = thrown(() => rocAuc(['a', 'b'], [0.2, 0.3], 'a', { negativeLabel: 'a' }));
    expect(e).toBeInstanceOf(UnknownLabelError);
    expect(e.message).toMatch(/must differ/);
  });

  it('keeps the cause', () => {
    const cause = new Error('root');
    expect(new MetricsError('x', { cause }).cause).toBe(cause);
  });
});
