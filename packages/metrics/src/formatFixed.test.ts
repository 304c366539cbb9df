import { formatFixed } from './formatFixed';

describe('formatFixed', () => {
  // Expected strings are Python's '{:.Nf}'.format(x) (round half to even on the exact binary value).
  it.each([
    [0.125, 2, '0.12'],
    [0.375, 2, '0.38'],
    [0.625, 2, '0.62'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.6666666666666666, 2, '0.67'],
    [0.615, 2, '0.61'], // 0.615 is stored just below the tie
    [0.135, 2, '0.14'], // stored just above
    [1, 3, '1.000'],
    [NaN, 2, 'nan'],
    [Infinity, 2, 'inf'],
    [-0.125, 2, '-0.12'],
  ])('formatFixed(%f, %i) = %s', (x, digits, expected) => {
    expect(formatFixed(x, digits)).toBe(expected);
  });
});
