import { confusionMatrix } from './confusionMatrix';
import { EmptyInputError, InvalidOptionError, LengthMismatchError, UnknownLabelError } from './errors';

describe('confusionMatrix', () => {
  it('puts actual classes in rows and predicted in columns, in the declared order', () => {
    // scikit-learn docs: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2] -> [[2,0,0],[0,0,1],[1,0,2]]
    const cm = confusionMatrix(['2', '0', '2', '2', '0', '1'], ['0', '0', '2', '2', '0', '2'], { labels: ['0', '1', '2'] });
    expect(cm.matrix).toEqual([
      [2, 0, 0],
      [0, 0, 1],
      [1, 0, 2],
    ]);
    const reordered = confusionMatrix(['covid', 'normal', 'covid'], ['covid', 'covid', 'normal'], { labels: ['normal', 'covid'] });
    expect(reordered).toEqual({ labels: ['normal', 'covid'], matrix: [[0, 1], [1, 1]] });
  });

  it('keeps declared labels that never occur as zero rows and columns', () => {
    expect(confusionMatrix(['a'], ['a'], { labels: ['a', 'b'] }).matrix).toEqual([[1, 0], [0, 0]]);
  });

  it('raises typed errors naming the problem', () => {
    expect(() => confusionMatrix(['a'], ['a', 'b'], { labels: ['a', 'b'] })).toThrow(LengthMismatchError);
    expect(() => confusionMatrix([], [], { labels: ['a'] })).toThrow(EmptyInputError);
    expect(() => confusionMatrix(['a', 'x'], ['a', 'a'], { labels: ['a', 'b'], source: 'p.csv' })).toThrow(
      new UnknownLabelError('x', ['a', 'b'], { index: 1, source: 'p.csv' }).message,
    );
    expect(() => confusionMatrix(['a'], ['a'], { labels: ['a', 'a'] })).toThrow(InvalidOptionError);
    expect(() => confusionMatrix(['a'], ['a'], { labels: [] })).toThrow(InvalidOptionError);
  });
});
