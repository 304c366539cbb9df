import { decimal, METRIC_GLOSSARY, percent, percentInterval } from './metricGlossary';
import { classCounts, CLINICAL_BANNER, CLINICAL_DISCLAIMER, collectWarnings, GROUP_NOTE, safetyLines, SOURCE_NOTE } from './reportSections';
import type { BinaryMetricsLike, ReportContent } from './types';

/** Escapes text for a Markdown table cell or paragraph (pipes, backslashes, HTML, emphasis and newlines). */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\|*_`[\]<>#])/g, '\\$1').replace(/\r?\n/g, ' ');
}

/**
 * Renders the Markdown report. Plots are referenced as PNG beside it (`plots/<name>.png`) and Grad-CAM
 * overlays as `gradcam/*.png`, so it reads well on GitHub or in any Markdown viewer.
 */
export function renderMarkdownReport(content: ReportContent): string {
  const { input, plots, gradcam, aucReason, worstMistakes } = content;
  const m = input.metrics;
  const pos = m.positiveLabel;
  const neg = m.negativeLabel;
  const cm = m.confusionMatrix;
  const e = escapeMarkdown;
  const image = (name: string) => {
    const p = plots.find((x) => x.name === name);
    return p ? [`![${e(p.caption)}](plots/${p.name}.png)`, '', `*${e(p.caption)}*`, ''] : [];
  };
  const out: string[] = [];

  out.push(`> **${CLINICAL_BANNER}.** ${CLINICAL_DISCLAIMER}`, '');
  out.push(`# ${e(input.title)}`, '');
  out.push('| | |', '| --- | --- |');
  out.push(`| Backbone | ${e(input.model.backbone)} |`);
  out.push(`| Weights | ${e(input.model.weights)} |`);
  out.push(`| Classes | ${input.model.classes.map(e).join(', ')} (positive class: **${e(input.model.positiveClass)}**) |`);
  out.push(`| Decision threshold | score >= ${input.model.threshold} is called ${e(pos)} |`);
  out.push(`| Test images | ${m.n} (${e(classCounts(m))}) |`, '');

  const warnings = collectWarnings(input);
  if (warnings.length > 0) {
    out.push('## Warnings', '', ...warnings.map((w) => `- ${e(w)}`), '');
  }

  out.push('## Headline numbers', '');
  out.push('Proportions with their 95% confidence interval (Wilson score). A wide interval means the test set is too small to pin the number down.', '');
  out.push('| Metric | Value | 95% CI | Formula | What it means |', '| --- | ---: | ---: | --- | --- |');
  for (const g of METRIC_GLOSSARY) {
    const v = m[g.key];
    out.push(`| ${e(g.name)} | ${percent(v.value)} | ${percentInterval(v)} | ${e(g.formula)} | ${e(g.meaning(pos, neg))} |`);
  }
  const aucCi = m.auc ? `${decimal(m.auc.lower)}-${decimal(m.auc.upper)}` : 'n/a';
  out.push(`| AUC (ROC) | ${decimal(m.auc?.value)} | ${aucCi} | area under the ROC curve | Probability that a random ${e(pos)} image scores higher than a random ${e(neg)} image; 0.5 is chance. |`);
  out.push(`| Average precision | ${decimal(m.averagePrecision)} | | area under the PR curve | No-skill value equals the prevalence. |`);
  out.push(`| Balanced accuracy | ${percent(m.balancedAccuracy)} | | (sensitivity + specificity) / 2 | Weighs both classes equally. |`);
  out.push(`| F1 | ${decimal(m.f1)} | | 2 PR / (P + R) | Harmonic mean of precision and sensitivity. |`);
  out.push(`| MCC | ${decimal(m.mcc)} | | Matthews correlation | From -1 to 1; 0 is chance. |`);
  out.push(`| Youden's J | ${decimal(m.youdenJ)} | | sensitivity + specificity - 1 | 0 is chance, 1 is perfect. |`, '');

  out.push('## Confusion matrix', '');
  out.push(`| actual \\\\ predicted | ${cm.labels.map(e).join(' | ')} |`, `| --- | ${cm.labels.map(() => '---:').join(' | ')} |`);
  cm.labels.forEach((label, r) => out.push(`| **${e(label)}** | ${cm.matrix[r].join(' | ')} |`));
  out.push('', `TP = ${cm.tp} (${e(pos)} called ${e(pos)}), FN = ${cm.fn} (missed ${e(pos)}), FP = ${cm.fp} (${e(neg)} called ${e(pos)}), TN = ${cm.tn}.`, '');
  out.push(...image('confusion-matrix'));

  out.push('## Ranking: ROC and precision-recall', '');
  if (aucReason) out.push(`> ${e(aucReason)}`, '');
  else out.push(...image('roc'), ...image('precision-recall'));

  const safety = safetyLines(input);
  if (safety.length > 0 || plots.some((p) => p.name === 'reliability')) {
    out.push('## Calibration, prevalence and coverage', '', ...safety.map((l) => `- ${e(l)}`), '', ...image('reliability'));
  }

  if (plots.some((p) => p.name === 'score-histogram')) out.push('## Score distributions', '', ...image('score-histogram'));
  if (plots.some((p) => p.name === 'training-curves')) out.push('## Training', '', ...image('training-curves'));

  const groupTable = (heading: string, note: string, column: string, groups: Record<string, BinaryMetricsLike>): void => {
    out.push(`## ${e(heading)}`, '', e(note), '');
    out.push(`| ${e(column)} | n | Classes | Accuracy | Sensitivity | Specificity | AUC |`, '| --- | ---: | --- | ---: | ---: | ---: | ---: |');
    for (const [group, sm] of Object.entries(groups)) {
      const cell = (v: { value: number | null; lower: number | null; upper: number | null }) =>
        percentInterval(v) === 'n/a' ? percent(v.value) : `${percent(v.value)} (${percentInterval(v)})`;
      out.push(`| ${e(group)} | ${sm.n} | ${e(classCounts(sm))} | ${cell(sm.accuracy)} | ${cell(sm.sensitivity)} | ${cell(sm.specificity)} | ${decimal(sm.auc?.value)} |`);
    }
    out.push('');
  };
  if (Object.keys(input.perSource ?? {}).length > 0) groupTable('By source', SOURCE_NOTE, 'Source', input.perSource ?? {});
  if (input.groups && (input.groups.by !== 'source' || !input.perSource)) groupTable(`By ${input.groups.by}`, GROUP_NOTE, input.groups.by, input.groups.groups);

  if (worstMistakes.length > 0) {
    out.push('## Most confident mistakes', '', `| Image | Actual | Score for ${e(pos)} | Source |`, '| --- | --- | ---: | --- |');
    for (const s of worstMistakes) out.push(`| \`${s.path.replace(/[|`]/g, '_')}\` | ${e(s.label)} | ${s.score.toFixed(3)} | ${e(s.source ?? '')} |`);
    out.push('');
  }

  if (gradcam.length > 0) {
    out.push('## Grad-CAM: where the model looked', '');
    out.push(`Red areas raised the ${e(pos)} score most; attention outside the lungs is a sign of shortcut learning.`, '');
    for (const g of gradcam) {
      out.push(`![Grad-CAM of ${e(g.path)}](${g.relativePath})`, '');
      out.push(`${g.correct ? 'Correct' : '**Wrong**'}: actual ${e(g.label)}, score ${g.score.toFixed(3)}, \`${g.path.replace(/`/g, '_')}\``, '');
    }
  }

  if (input.notes && input.notes.length > 0) out.push('## Notes', '', ...input.notes.map((n) => `- ${e(n)}`), '');
  out.push(`*Written by cxr. ${CLINICAL_BANNER}.*`, '');
  return out.join('\n');
}
