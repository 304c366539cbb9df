/**
 * Splits a finding into its labels. The covid-chestxray dataset writes several findings as `COVID-19, ARDS` in
 * older releases and as hierarchies (`Pneumonia/Viral/COVID-19`) in newer ones; NIH ChestX-ray14 joins labels
 * with `|`. Each label is trimmed; a hierarchy stays one label.
 *
 * @example findingLabels('COVID-19, ARDS') // ['COVID-19', 'ARDS']
 * @example findingLabels('Cardiomegaly|Effusion') // ['Cardiomegaly', 'Effusion']
 */
export function findingLabels(finding: string): string[] {
  return finding
    .split(/[|,;]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function segments(label: string): string[] {
  return label
    .split('/')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
}

/**
 * Hierarchy-aware finding match. The query matches a label when the query's `/`-separated segments appear as a
 * contiguous run of the label's segments (case-insensitive): `COVID-19` matches both `COVID-19` and
 * `Pneumonia/Viral/COVID-19`; `Pneumonia/Viral` matches `Pneumonia/Viral/SARS`; `Viral` does not match
 * `Pneumonia/Bacterial`. A record matches when any of its labels does.
 *
 * @example matchesFinding(['Pneumonia/Viral/COVID-19'], 'COVID-19') // true
 */
export function matchesFinding(labels: readonly string[], query: string): boolean {
  const q = segments(query);
  if (q.length === 0) return false;
  for (const label of labels) {
    const s = segments(label);
    for (let i = 0; i + q.length <= s.length; i++) {
      let ok = true;
      for (let j = 0; j < q.length; j++) {
        if (s[i + j] !== q[j]) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
  }
  return false;
}
