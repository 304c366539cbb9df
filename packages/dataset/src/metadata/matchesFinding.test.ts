import { findingLabels, matchesFinding } from './matchesFinding';

describe('findingLabels', () => {
  it('splits the older comma lists and the NIH pipes, keeping hierarchies whole', () => {
    expect(findingLabels('COVID-19, ARDS')).toEqual(['COVID-19', 'ARDS']);
    expect(findingLabels('Cardiomegaly|Emphysema')).toEqual(['Cardiomegaly', 'Emphysema']);
    expect(findingLabels('Pneumonia/Viral/COVID-19')).toEqual(['Pneumonia/Viral/COVID-19']);
    expect(findingLabels('  ')).toEqual([]);
  });
});

describe('matchesFinding', () => {
  it('matches COVID-19 in both the old flat and the new hierarchical spelling', () => {
    expect(matchesFinding(['COVID-19'], 'COVID-19')).toBe(true);
    expect(matchesFinding(['Pneumonia/Viral/COVID-19'], 'COVID-19')).toBe(true);
    expect(matchesFinding(['Pneumonia/Viral/COVID-19'], 'covid-19')).toBe(true);
  });
  it('matches a parent or an inner run of segments, never a partial word or a sibling', () => {
    expect(matchesFinding(['Pneumonia/Viral/SARS'], 'Pneumonia/Viral')).toBe(true);
    expect(matchesFinding(['Pneumonia/Viral/SARS'], 'Viral')).toBe(true);
    expect(matchesFinding(['Pneumonia/Bacterial/Streptococcus'], 'Viral')).toBe(false);
    expect(matchesFinding(['Pneumonia/Viral/SARS'], 'Viral/Pneumonia')).toBe(false);
    expect(matchesFinding(['COVID-19'], 'COVID')).toBe(false);
    expect(matchesFinding(['No Finding'], 'Finding')).toBe(false);
    expect(matchesFinding(['ARDS', 'COVID-19'], 'COVID-19')).toBe(true);
    expect(matchesFinding([], 'COVID-19')).toBe(false);
    expect(matchesFinding(['COVID-19'], '')).toBe(false);
  });
});
