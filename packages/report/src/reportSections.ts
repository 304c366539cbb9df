import type { BinaryMetricsLike, ReportContent } from './types';

/** The banner both report formats open with. */
export const CLINICAL_BANNER = 'NOT FOR CLINICAL USE';

/** The sentence under the banner. */
export const CLINICAL_DISCLAIMER =
  'Research software. These numbers describe one model on one test set; they are not a diagnosis and must ' +
  'never guide the care of a patient. Public COVID-19 X-ray collections mix hospitals, devices and ages, so ' +
  'a model can score well by recognising the source rather than the disease.';

/** Every warning to show: the caller's and the metrics' own (e.g. "fewer than 30 positives"), deduplicated. */
export function collectWarnings(input: ReportContent['input']): string[] {
  const all = [...(input.warnings ?? []), ...(input.metrics.warnings ?? [])];
  for (const [source, m] of Object.entries(input.perSource ?? {})) {
    for (const w of m.warnings ?? []) all.push(`${source}: ${w}`);
  }
  return [...new Set(all)];
}

/** The counts of a source's test images by actual class: "12 covid / 30 normal". */
export function classCounts(m: BinaryMetricsLike): string {
  const { tp, fn, tn, fp } = m.confusionMatrix;
  return `${tp + fn} ${m.positiveLabel} / ${tn + fp} ${m.negativeLabel}`;
}
