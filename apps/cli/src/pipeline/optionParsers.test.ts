import { InvalidArgumentError } from 'commander';
import { collect, parseHttpUrl, parsePositiveInt, parseSeed } from './optionParsers';

describe('option parsers', () => {
  it('parsePositiveInt takes 1, 2, 10 and refuses 0, negatives, fractions and words', () => {
    expect([parsePositiveInt('1'), parsePositiveInt(' 2 '), parsePositiveInt('10')]).toEqual([1, 2, 10]);
    for (const bad of ['0', '-1', '1.5', 'two', '']) expect(() => parsePositiveInt(bad)).toThrow(InvalidArgumentError);
  });

  it('parseSeed takes 0 and up, and refuses negatives and fractions', () => {
    expect([parseSeed('0'), parseSeed('42')]).toEqual([0, 42]);
    for (const bad of ['-1', '4.2', 'x']) expect(() => parseSeed(bad)).toThrow('expected a non-negative integer.');
  });

  it('collect keeps every repeat in order', () => {
    expect(collect('b', collect('a'))).toEqual(['a', 'b']);
  });

  it('parseHttpUrl takes http and https URLs and refuses the rest', () => {
    expect(parseHttpUrl('http://127.0.0.1:8080/w.h5')).toBe('http://127.0.0.1:8080/w.h5');
    expect(parseHttpUrl('https://example.org/w.h5')).toBe('https://example.org/w.h5');
    for (const bad of ['not-a-url', 'file:///etc/passwd', 'ftp://example.org/w.h5', '']) expect(() => parseHttpUrl(bad)).toThrow(InvalidArgumentError);
  });
});
