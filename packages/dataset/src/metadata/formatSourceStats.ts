import type { SourceStats } from './sourceStats';

const table = (m: Record<string, number>, limit = 15): string => {
  const entries = Object.entries(m);
  const shown = entries.slice(0, limit).map(([k, v]) => `${k} ${v}`);
  if (entries.length > limit) shown.push(`... (${entries.length - limit} more)`);
  return shown.join(', ');
};

/**
 * {@link sourceStats} results as text, as `cxr dataset stats` prints them: rows per source, counts by finding, view,
 * sex, age band and modality (the 15 largest of each), and the filter's steps when one was given.
 */
export function formatSourceStats(sources: readonly SourceStats[]): string {
  const out: string[] = [];
  for (const s of sources) {
    out.push(`${s.source} (${s.dir}): ${s.rowsRead} rows${s.issues.length ? `, ${s.issues.length} refused (unsafe paths)` : ''}`);
    out.push(`  finding: ${table(s.all.byFinding)}`);
    out.push(`  view: ${table(s.all.byView)}`);
    out.push(`  sex: ${table(s.all.bySex)}`);
    out.push(`  age: ${table(s.all.byAgeBand)}`);
    out.push(`  modality: ${table(s.all.byModality)}`);
    if (s.filtered) {
      out.push(`  filter: ${['rows read: ' + s.rowsRead, ...s.filtered.steps.map((x) => `${x.condition}: ${x.kept}`)].join(' -> ')}`);
      out.push(`  kept ${s.filtered.kept}: ${s.filtered.present} images present, ${s.filtered.missing} absent`);
    }
  }
  return `${out.join('\n')}\n`;
}
