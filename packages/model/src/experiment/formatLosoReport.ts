import type { Interval } from '@cxr/metrics';
import type { EvaluationResult, LosoReport, ScoreSummary } from './runLoso';

const f2 = (x: number | null | undefined): string => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(2));

/** `0.87 (0.70-0.95)`, or `n/a`. */
export function formatInterval(i: Pick<Interval, 'value' | 'lower' | 'upper'> | null | undefined): string {
  if (!i || Number.isNaN(i.value)) return 'n/a';
  return `${f2(i.value)} (${f2(i.lower)}-${f2(i.upper)})`;
}

function counts(c: Record<string, Record<string, number>>): string {
  const parts = Object.entries(c)
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .flatMap(([source, byLabel]) =>
      Object.entries(byLabel)
        .sort((a, b) => (a[0] < b[0] ? -1 : 1))
        .map(([label, n]) => `${n} ${label} ${source}`),
    );
  return parts.length ? parts.join(', ') : 'none';
}

function heldOutSpec(e: EvaluationResult | undefined): string {
  const s = e?.heldOutTest?.specificity;
  if (!e || !s) return 'n/a';
  const tn = Math.round(s.value * (e.heldOutTest?.negatives ?? 0));
  return `${formatInterval(s)} ${tn}/${e.heldOutTest?.negatives}`;
}

function rate(s: ScoreSummary, which: 'sensitivity' | 'specificity'): string {
  const i = s[which];
  if (!i) return 'n/a';
  const n = which === 'sensitivity' ? s.positives : s.negatives;
  return `${formatInterval(i)} ${Math.round(i.value * n)}/${n}`;
}

/**
 * The markdown of a leave-one-source-out report: a summary table (one row per mitigation: internal test AUC,
 * sensitivity and specificity, specificity on each held-out source's normals, source-probe AUCs, alarms), then per
 * mitigation its evaluations, probes and alarms. Intervals are 95%.
 */
export function formatLosoReport(r: LosoReport): string {
  const out: string[] = [];
  const ids = r.plans.map((p) => `${p.kind === 'source' ? 'hold-out' : 'hold-out-normals'}:${p.source}`);
  out.push('# Leave-one-source-out evaluation and shortcut alarm');
  out.push('');
  out.push('> **NOT FOR CLINICAL USE.** Research software: these numbers describe a model on a small public dataset.');
  out.push('');
  out.push(`- Dataset: ${r.dataset.dir}: ${r.dataset.images} images of ${r.dataset.patients} patients (${counts(r.dataset.counts)}).`);
  out.push(`- Internal split: ${r.dataset.internalSplit}; every split patient-level and checked for leaks.`);
  out.push(
    `- Backbone: ${r.backbone.name} (${r.backbone.pretrained ? 'pretrained' : 'RANDOM weights, not ImageNet'}; output ${r.backbone.outputShape.join('x')}; weights ${r.backbone.weightsHash.slice(0, 16)}), frozen; ` +
      `features by ${r.featureEngine}; the notebook's head trained ${r.settings.epochs} epochs, seed ${r.settings.seed}.`,
  );
  out.push(`- Intervals: 95%; rates Wilson over images, AUCs patient-level bootstrap (${r.settings.bootstrapIterations} resamples). Alarm: source AUC > ${r.settings.alarmAuc}.`);
  out.push('');
  out.push('## What is held out');
  out.push('');
  for (const p of r.plans) out.push(`- **${p.kind === 'source' ? 'hold-out' : 'hold-out-normals'}:${p.source}**: ${p.reason}.`);
  for (const s of r.skipped) out.push(`- ${s.source} not held out: ${s.reason}.`);
  out.push('');
  out.push('## Summary');
  out.push('');
  const header = [
    'mitigation',
    'internal AUC',
    'internal sensitivity',
    'internal specificity',
    ...ids.map((id) => `specificity, ${id.replace(/^hold-out(-normals)?:/, '')} ${r.negative}s unseen`),
    `feature source AUC (${r.negative}s)`,
    `score source AUC (${r.negative}s)`,
    'alarms',
  ];
  out.push(`| ${header.join(' | ')} |`);
  out.push(`|${header.map(() => ' --- ').join('|')}|`);
  for (const arm of r.arms) {
    const internal = arm.evaluations.find((e) => e.kind === 'internal');
    const row = [
      arm.mitigation.name,
      formatInterval(internal?.internalTest.auc),
      internal ? rate(internal.internalTest, 'sensitivity') : 'n/a',
      internal ? rate(internal.internalTest, 'specificity') : 'n/a',
      ...ids.map((id) => heldOutSpec(arm.evaluations.find((e) => e.id === id))),
      formatInterval(arm.probe.featureSourceNegatives ? { value: arm.probe.featureSourceNegatives.auc, ...arm.probe.featureSourceNegatives.ci } : null),
      formatInterval(arm.probe.scoreSourceNegatives),
      arm.flags.length === 0 ? 'none' : `**${arm.flags.length}**`,
    ];
    out.push(`| ${row.join(' | ')} |`);
  }
  for (const arm of r.arms) {
    out.push('');
    out.push(`## Mitigation: ${arm.mitigation.name}`);
    out.push('');
    out.push(`${arm.mitigation.description}. Features ${arm.featureSeconds.toFixed(1)} s, whole arm ${arm.totalSeconds.toFixed(1)} s.`);
    out.push('');
    for (const flag of arm.flags) out.push(`- **${flag}**`);
    if (arm.flags.length) out.push('');
    out.push('| evaluation | train | threshold | internal test: AUC | sensitivity | specificity | held out | held-out sensitivity | held-out specificity | AUC internal covid vs held-out normals |');
    out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const e of arm.evaluations) {
      const h = e.heldOutTest;
      out.push(
        `| ${e.id} | ${counts(e.counts.train)} | ${f2(e.threshold.value)} (${e.threshold.chosenOn}) | ${formatInterval(e.internalTest.auc)} | ${rate(e.internalTest, 'sensitivity')} | ` +
          `${rate(e.internalTest, 'specificity')} | ${h ? counts(e.counts.heldOut) : '-'} | ${h ? rate(h, 'sensitivity') : '-'} | ${h ? rate(h, 'specificity') : '-'} | ` +
          `${formatInterval(e.aucInternalPositivesVsHeldOutNegatives)} |`,
      );
    }
    out.push('');
    const p = arm.probe;
    out.push('| probe | AUC (95% CI) | n | per fold |');
    out.push('| --- | --- | --- | --- |');
    const probeRow = (name: string, s: typeof p.featureSourceAll) =>
      s
        ? `| ${name}: ${s.positiveSource} vs ${s.negativeSource} | ${formatInterval({ value: s.auc, ...s.ci })} | ${s.nPositive} + ${s.nNegative} | ${s.folds.map((f) => f2(f.auc)).join(', ')} |`
        : `| ${name} | n/a (too few patients) | | |`;
    out.push(probeRow(`features -> source, ${r.negative}s only`, p.featureSourceNegatives));
    out.push(probeRow('features -> source, all images', p.featureSourceAll));
    out.push(probeRow('features -> label (disease)', p.featureDisease));
    out.push(probeRow(`features -> label within ${p.scoreDiseaseWithinSource?.source ?? 'one source'}`, p.featureDiseaseWithinSource));
    out.push(`| cross-fitted model score -> label (disease) | ${formatInterval(p.scoreDisease)} | ${r.dataset.images} | |`);
    out.push(
      p.scoreDiseaseWithinSource
        ? `| cross-fitted model score -> label within ${p.scoreDiseaseWithinSource.source} only | ${formatInterval(p.scoreDiseaseWithinSource)} | ${p.scoreDiseaseWithinSource.n} | |`
        : '| cross-fitted model score -> label within one source | n/a | | |',
    );
    out.push(
      p.scoreSourceNegatives
        ? `| cross-fitted model score -> source, ${r.negative}s only: ${p.scoreSourceNegatives.positiveSource} vs others | ${formatInterval(p.scoreSourceNegatives)} | ${p.scoreSourceNegatives.n} | |`
        : `| cross-fitted model score -> source, ${r.negative}s only | n/a | | |`,
    );
  }
  out.push('');
  out.push('Feature probes: ' + (r.arms[0]?.probe.featureSourceNegatives?.method ?? 'patient-grouped cross-validated logistic regression') + '.');
  out.push('');
  out.push('NOT FOR CLINICAL USE.');
  return `${out.join('\n')}\n`;
}
