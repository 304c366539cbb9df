import type { GeneralisationReport, SeedSpread } from './rankGeneralisation';

const f2 = (v: number | null | undefined): string => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(2));
const span = (s: SeedSpread | null): string => (s ? `${f2(s.mean)} (${f2(s.min)}-${f2(s.max)})` : '-');

/**
 * The ranking of {@link rankGeneralisation} as Markdown: one table row per recipe x configuration, best first, with
 * the ranges over seeds and the intervals, the held-out counts per source and seed, the comparison with the baseline
 * and the notes on what the data cannot support.
 *
 * @example process.stdout.write(formatGeneralisationReport(await rankGeneralisation(options)));
 */
export function formatGeneralisationReport(report: GeneralisationReport): string {
  const { settings, baseline } = report;
  const isBase = (r: { recipe: string; configuration: string }) => r.recipe === baseline.recipe && r.configuration === baseline.configuration;
  const versus = (r: GeneralisationReport['rows'][number]): string =>
    isBase(r) ? 'baseline' : `${r.versusBaseline.worstSpecificity}${r.versusBaseline.beats ? ' (beats it)' : ''}`;
  const lines = [
    '# Generalisation ranking (NOT FOR CLINICAL USE)',
    '',
    `Seeds ${settings.seeds.join(', ')}; ${settings.folds}-fold patient-grouped cross-fitting; ${settings.epochs} epochs; ` +
      `specificity read at internal sensitivity >= ${settings.sensitivity}. Values: mean over seeds (min-max over seeds). ` +
      `Baseline: ${baseline.recipe} + ${baseline.configuration}.`,
    '',
    '| rank | recipe | configuration | worst held-out specificity | pooled counts (Wilson 95%) | vs baseline (seed ranges) | covid vs pneumonia AUC (same collection) | its 95% intervals (all seeds) | internal sensitivity @0.5 | internal specificity @0.5 | score source AUC (normals) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...report.rows.map(
      (r, i) =>
        `| ${i + 1} | ${r.recipe} | ${r.configuration} | ${span(r.worstSpecificity)} | ` +
        `${f2(r.worstSpecificityPooled.value)} (${f2(r.worstSpecificityPooled.lower)}-${f2(r.worstSpecificityPooled.upper)}) | ${versus(r)} | ` +
        `${span(r.positiveVsOther)} | ${r.positiveVsOtherInterval ? `${f2(r.positiveVsOtherInterval.lower)}-${f2(r.positiveVsOtherInterval.upper)}` : '-'} | ` +
        `${span(r.internalSensitivity)} | ${span(r.internalSpecificity)} | ${span(r.scoreSourceAuc)} |`,
    ),
    '',
    'Held-out specificity per source and seed (true negatives / normals):',
    '',
    ...report.rows.map(
      (r) => `- ${r.recipe} + ${r.configuration}: ` + r.runs.map((run) => `seed ${run.seed}: ` + run.heldOut.map((h) => `${h.source} ${h.trueNegatives}/${h.negatives}`).join(', ')).join('; '),
    ),
    '',
    `Winner: ${report.winner ? `${report.winner.recipe} + ${report.winner.configuration}` : 'none (the baseline stays)'}.`,
    '',
    ...report.notes.map((n) => `Note: ${n}`),
    '',
  ];
  return lines.join('\n');
}
