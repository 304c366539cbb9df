import { decimal, METRIC_GLOSSARY, percent, percentInterval } from './metricGlossary';
import { classCounts, CLINICAL_BANNER, CLINICAL_DISCLAIMER, collectWarnings, GROUP_NOTE, safetyLines, SOURCE_NOTE } from './reportSections';
import type { BinaryMetricsLike, ReportContent, RenderedPlot } from './types';

const CSS = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 24px 48px; color: #222; line-height: 1.45; }
.banner { background: #b00020; color: #fff; padding: 14px 18px; margin: 0 -24px 20px; font-size: 15px; }
.banner strong { display: block; font-size: 26px; letter-spacing: 0.06em; }
h1 { font-size: 26px; margin: 8px 0 4px; } h2 { font-size: 20px; margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
th, td { border: 1px solid #d0d0d0; padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.warnings { background: #fff4e5; border-left: 5px solid #e08a00; padding: 8px 16px; }
.plots { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
figure { margin: 0; } figcaption { font-size: 13px; color: #555; max-width: 520px; }
.plot svg { max-width: 100%; height: auto; }
.gradcam { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 16px; }
.gradcam img { width: 100%; image-rendering: auto; border: 3px solid #2e7d32; }
.gradcam .wrong img { border-color: #b00020; }
.note { color: #555; font-size: 14px; }
code { font-size: 13px; word-break: break-all; }
`;

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function plotFigure(plot: RenderedPlot): string {
  // The SVG comes from vega's own string renderer; it is markup we trust, and inline so the file is self-contained.
  return `<figure class="plot" id="plot-${escapeHtml(plot.name)}">${plot.svg}<figcaption>${escapeHtml(plot.caption)}</figcaption></figure>`;
}

/**
 * Renders the self-contained HTML report: inline CSS, inline SVG plots, Grad-CAM overlays as base64 PNG,
 * no external URL, so it opens from disk or an e-mail attachment.
 */
export function renderHtmlReport(content: ReportContent): string {
  const { input, plots, gradcam, aucReason, worstMistakes } = content;
  const m = input.metrics;
  const pos = m.positiveLabel;
  const neg = m.negativeLabel;
  const cm = m.confusionMatrix;
  const e = escapeHtml;
  const plot = (name: string) => plots.find((p) => p.name === name);
  const out: string[] = [];

  out.push(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8">`);
  out.push(`<meta name="viewport" content="width=device-width, initial-scale=1">`);
  out.push(`<title>${e(input.title)} (${CLINICAL_BANNER})</title><style>${CSS}</style></head><body>`);
  out.push(`<div class="banner" role="alert"><strong>${CLINICAL_BANNER}</strong>${e(CLINICAL_DISCLAIMER)}</div>`);
  out.push(`<h1>${e(input.title)}</h1>`);

  out.push(`<table><tbody>`);
  out.push(`<tr><th>Backbone</th><td>${e(input.model.backbone)}</td></tr>`);
  out.push(`<tr><th>Weights</th><td>${e(input.model.weights)}</td></tr>`);
  out.push(`<tr><th>Classes</th><td>${input.model.classes.map(e).join(', ')} (positive class: <b>${e(input.model.positiveClass)}</b>)</td></tr>`);
  out.push(`<tr><th>Decision threshold</th><td>score &ge; ${e(String(input.model.threshold))} is called ${e(pos)}</td></tr>`);
  out.push(`<tr><th>Test images</th><td>${m.n} (${e(classCounts(m))})</td></tr>`);
  out.push(`</tbody></table>`);

  const warnings = collectWarnings(input);
  if (warnings.length > 0) {
    out.push(`<div class="warnings"><h3>Warnings</h3><ul>${warnings.map((w) => `<li>${e(w)}</li>`).join('')}</ul></div>`);
  }

  out.push(`<h2>Headline numbers</h2>`);
  out.push(`<p class="note">Proportions with their 95% confidence interval (Wilson score). A wide interval means the test set is too small to pin the number down.</p>`);
  out.push(`<table><thead><tr><th>Metric</th><th>Value</th><th>95% CI</th><th>Formula</th><th>What it means</th></tr></thead><tbody>`);
  for (const g of METRIC_GLOSSARY) {
    const v = m[g.key];
    out.push(
      `<tr><th>${e(g.name)}</th><td class="num">${percent(v.value)}</td><td class="num">${percentInterval(v)}</td>` +
        `<td>${e(g.formula)}</td><td>${e(g.meaning(pos, neg))}</td></tr>`,
    );
  }
  out.push(
    `<tr><th>AUC (ROC)</th><td class="num">${decimal(m.auc?.value)}</td><td class="num">${m.auc ? `${decimal(m.auc.lower)}-${decimal(m.auc.upper)}` : 'n/a'}</td>` +
      `<td>area under the ROC curve</td><td>The probability that a random ${e(pos)} image scores higher than a random ${e(neg)} image; 0.5 is chance, 1 is perfect ranking. Independent of the threshold.</td></tr>`,
  );
  out.push(`<tr><th>Average precision</th><td class="num">${decimal(m.averagePrecision)}</td><td class="num"></td><td>area under the PR curve (step-wise)</td><td>Summarises precision over all recall levels; the no-skill value equals the prevalence.</td></tr>`);
  out.push(`<tr><th>Balanced accuracy</th><td class="num">${percent(m.balancedAccuracy)}</td><td class="num"></td><td>(sensitivity + specificity) / 2</td><td>Accuracy that weighs both classes equally, whatever their counts.</td></tr>`);
  out.push(`<tr><th>F1</th><td class="num">${decimal(m.f1)}</td><td class="num"></td><td>2 &middot; precision &middot; recall / (precision + recall)</td><td>Harmonic mean of precision and sensitivity for ${e(pos)}.</td></tr>`);
  out.push(`<tr><th>MCC</th><td class="num">${decimal(m.mcc)}</td><td class="num"></td><td>Matthews correlation</td><td>Correlation between prediction and truth, from -1 to 1; 0 is chance. Robust to imbalance.</td></tr>`);
  out.push(`<tr><th>Youden's J</th><td class="num">${decimal(m.youdenJ)}</td><td class="num"></td><td>sensitivity + specificity - 1</td><td>0 is chance, 1 is perfect at this threshold.</td></tr>`);
  out.push(`</tbody></table>`);

  out.push(`<h2>Confusion matrix</h2><div class="plots">`);
  const cmPlot = plot('confusion-matrix');
  if (cmPlot) out.push(plotFigure(cmPlot));
  out.push(`<table class="confusion"><thead><tr><th>actual \\ predicted</th>${cm.labels.map((l) => `<th>${e(l)}</th>`).join('')}</tr></thead><tbody>`);
  cm.labels.forEach((label, r) => {
    out.push(`<tr><th>${e(label)}</th>${cm.matrix[r].map((c) => `<td class="num">${c}</td>`).join('')}</tr>`);
  });
  out.push(`</tbody></table>`);
  out.push(
    `<p class="note">True positives (${e(pos)} called ${e(pos)}): <b>TP = ${cm.tp}</b>; false negatives (missed ${e(pos)}): <b>FN = ${cm.fn}</b>; ` +
      `false positives (${e(neg)} called ${e(pos)}): <b>FP = ${cm.fp}</b>; true negatives: <b>TN = ${cm.tn}</b>.</p></div>`,
  );

  out.push(`<h2>Ranking: ROC and precision-recall</h2>`);
  if (aucReason) {
    out.push(`<p class="warnings">${e(aucReason)}</p>`);
  } else {
    out.push(`<div class="plots">`);
    for (const name of ['roc', 'precision-recall']) {
      const p = plot(name);
      if (p) out.push(plotFigure(p));
    }
    out.push(`</div>`);
  }

  const safety = safetyLines(input);
  const reliability = plot('reliability');
  if (safety.length > 0 || reliability) {
    out.push(`<h2>Calibration, prevalence and coverage</h2><ul>${safety.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`);
    if (reliability) out.push(`<div class="plots">${plotFigure(reliability)}</div>`);
  }

  const hist = plot('score-histogram');
  if (hist) out.push(`<h2>Score distributions</h2><div class="plots">${plotFigure(hist)}</div>`);

  const curves = plot('training-curves');
  if (curves) out.push(`<h2>Training</h2><div class="plots">${plotFigure(curves)}</div>`);

  const groupTable = (heading: string, note: string, column: string, groups: Record<string, BinaryMetricsLike>): void => {
    out.push(`<h2>${e(heading)}</h2>`, `<p class="note">${e(note)}</p>`);
    out.push(`<table><thead><tr><th>${e(column)}</th><th>n</th><th>Classes</th><th>Accuracy</th><th>Sensitivity</th><th>Specificity</th><th>AUC</th></tr></thead><tbody>`);
    for (const [group, sm] of Object.entries(groups)) {
      const cell = (v: { value: number | null; lower: number | null; upper: number | null }) =>
        percentInterval(v) === 'n/a'
          ? `<td class="num">${percent(v.value)}</td>`
          : `<td class="num">${percent(v.value)}<br><small>${percentInterval(v)}</small></td>`;
      out.push(
        `<tr><th>${e(group)}</th><td class="num">${sm.n}</td><td>${e(classCounts(sm))}</td>${cell(sm.accuracy)}${cell(sm.sensitivity)}${cell(sm.specificity)}` +
          `<td class="num">${decimal(sm.auc?.value)}</td></tr>`,
      );
    }
    out.push(`</tbody></table>`);
  };
  if (Object.keys(input.perSource ?? {}).length > 0) {
    groupTable('By source', SOURCE_NOTE, 'Source', input.perSource ?? {});
  }
  if (input.groups && (input.groups.by !== 'source' || !input.perSource)) {
    groupTable(`By ${input.groups.by}`, GROUP_NOTE, input.groups.by, input.groups.groups);
  }

  if (worstMistakes.length > 0) {
    out.push(`<h2>Most confident mistakes</h2><table><thead><tr><th>Image</th><th>Actual</th><th>Score for ${e(pos)}</th><th>Source</th></tr></thead><tbody>`);
    for (const s of worstMistakes) {
      out.push(`<tr><td><code>${e(s.path)}</code></td><td>${e(s.label)}</td><td class="num">${s.score.toFixed(3)}</td><td>${e(s.source ?? '')}</td></tr>`);
    }
    out.push(`</tbody></table>`);
  }

  if (gradcam.length > 0) {
    out.push(`<h2>Grad-CAM: where the model looked</h2>`);
    out.push(`<p class="note">Red areas raised the ${e(pos)} score most. Attention outside the lungs (labels, borders, devices) is a sign of shortcut learning. Green frame: correct; red frame: wrong.</p><div class="gradcam">`);
    for (const g of gradcam) {
      out.push(
        `<figure class="${g.correct ? 'right' : 'wrong'}"><img alt="Grad-CAM of ${e(g.path)}" src="data:image/png;base64,${g.png.toString('base64')}">` +
          `<figcaption>${g.correct ? 'correct' : '<b>wrong</b>'}: actual ${e(g.label)}, score ${g.score.toFixed(3)}<br><code>${e(g.path)}</code></figcaption></figure>`,
      );
    }
    out.push(`</div>`);
  }

  if (input.notes && input.notes.length > 0) {
    out.push(`<h2>Notes</h2><ul>${input.notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`);
  }
  out.push(`<p class="note">Written by cxr. ${CLINICAL_BANNER}.</p></body></html>\n`);
  return out.join('\n');
}
