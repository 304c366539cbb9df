import { classificationReport } from './classificationReport';
import { formatClassificationReport } from './formatClassificationReport';

describe('formatClassificationReport', () => {
  const docsExample = () =>
    classificationReport(['class 0', 'class 1', 'class 2', 'class 2', 'class 2'], ['class 0', 'class 0', 'class 2', 'class 2', 'class 1'], {
      labels: ['class 0', 'class 1', 'class 2'],
    });

  it('reproduces the scikit-learn docs example character for character', () => {
    // print(classification_report([0,1,2,2,2], [0,0,2,2,1], target_names=['class 0','class 1','class 2']))
    const expected = [
      '              precision    recall  f1-score   support',
      '',
      '     class 0       0.50      1.00      0.67         1',
      '     class 1       0.00      0.00      0.00         1',
      '     class 2       1.00      0.67      0.80         3',
      '',
      '    accuracy                           0.60         5',
      '   macro avg       0.50      0.56      0.49         5',
      'weighted avg       0.70      0.60      0.61         5',
      '',
    ].join('\n');
    expect(formatClassificationReport(docsExample())).toBe(expected);
  });

  it('honours digits (same example, digits=3)', () => {
    const expected =
      '              precision    recall  f1-score   support\n\n' +
      '     class 0      0.500     1.000     0.667         1\n' +
      '     class 1      0.000     0.000     0.000         1\n' +
      '     class 2      1.000     0.667     0.800         3\n\n' +
      '    accuracy                          0.600         5\n' +
      '   macro avg      0.500     0.556     0.489         5\n' +
      'weighted avg      0.700     0.600     0.613         5\n';
    expect(formatClassificationReport(docsExample(), { digits: 3 })).toBe(expected);
  });

  it('rounds exact ties half to even like Python, and widens for long class names', () => {
    // y_true: 1 'a', 9 'b'; y_pred: 8 'a', 2 'b'. Class a: P = 1/8 = 0.125 exactly -> Python prints 0.12.
    // b: P 2/2, R 2/9, F1 4/11; a: R 1, F1 2/9; macro P 0.5625, R 0.6111, F1 0.2929;
    // weighted P (9 + 0.125)/10, R 0.3, F1 (9*4/11 + 2/9)/10 = 0.3495.
    const actual = ['a', ...Array(9).fill('b')];
    const predicted = [...Array(8).fill('a'), 'b', 'b'];
    const text = formatClassificationReport(classificationReport(actual, predicted, { labels: ['b', 'a'] }));
    expect(text.split('\n')[3]).toBe('           a       0.12      1.00      0.22         1');
    expect(text.split('\n')[7]).toBe('weighted avg       0.91      0.30      0.35        10');
    const long = formatClassificationReport(classificationReport(['a long class name'], ['a long class name'], { labels: ['a long class name'] }));
    expect(long.split('\n')[2]).toBe('a long class name       1.00      1.00      1.00         1');
  });

  it('prints undefined values as nan', () => {
    const text = formatClassificationReport(classificationReport(['a', 'b'], ['a', 'a'], { labels: ['a', 'b'] }));
    expect(text.split('\n')[3]).toBe('           b        nan      0.00      0.00         1');
  });
});
