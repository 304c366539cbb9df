import { auditDataDesign, formatDataDesignAudit, type DataDesignAudit } from '../audit/auditDataDesign';
import type { BuildSummary } from './buildDataset';

/**
 * The data-design audit of a build: its class x source counts (`summary.images.byLabelAndSource`) through
 * {@link auditDataDesign}. Training refuses a confounded design, so a build reports it at once.
 */
export function auditBuild(summary: BuildSummary): DataDesignAudit {
  return auditDataDesign(
    Object.entries(summary.images.byLabelAndSource).flatMap(([label, bySource]) =>
      Object.entries(bySource).flatMap(([source, n]) => Array.from({ length: n }, () => ({ label, source }))),
    ),
  );
}

/**
 * A build's summary as text, as `cxr dataset build` prints it: per source and class the count after each filter
 * step, present/absent/duplicate images and conversions, the images kept per class and source, the duplicate images
 * dropped, failures, what was written, and the data-design audit.
 * @example process.stdout.write(formatBuildSummary(await buildDataset(config)));
 */
export function formatBuildSummary(s: BuildSummary): string {
  const out: string[] = [];
  for (const src of s.sources) {
    out.push(`${src.source} (${src.dir}): ${src.rowsRead} rows read${src.refused ? `, ${src.refused} refused (unsafe paths)` : ''}`);
    for (const [label, c] of Object.entries(src.classes)) {
      if (c.kept === 0 && c.steps[0]?.kept === 0) continue;
      const steps = c.steps.map((x) => `${x.condition}: ${x.kept}`).join(' -> ');
      out.push(`  ${label}: ${steps}`);
      out.push(
        `  ${label}: ${c.present} images present, ${c.missing} listed but absent` +
          (c.duplicates ? `, ${c.duplicates} duplicates` : '') +
          (c.otherImagesOfPatient ? `, ${c.otherImagesOfPatient} more images of a patient` : '') +
          (s.dryRun ? '' : `; ${c.written} converted, ${c.reused} reused, ${c.failed} failed`),
      );
    }
  }
  out.push('');
  const bySource = (label: string): string =>
    Object.entries(s.images.byLabelAndSource[label] ?? {})
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  if (s.recipeName) out.push(`Recipe: ${s.recipeName}`);
  out.push(
    `${s.dryRun ? 'Images a build would keep' : 'Images'}: ` +
      Object.entries(s.images.byLabel)
        .map(([label, n]) => `${n} ${label} (${bySource(label) || 'none'})`)
        .join('; '),
  );
  const others = s.duplicateImages.filter((d) => !d.samePatient);
  if (s.duplicateImages.length > 0) {
    out.push(`Duplicate images (same SHA-256) dropped: ${s.duplicateImages.length}, ${others.length} of them under another patient id (kept one copy; a copy on each side of a split is a leak):`);
    for (const d of s.duplicateImages.slice(0, 20)) {
      out.push(
        `  ${d.dropped.source} line ${d.dropped.row} ${d.dropped.originalPath} (patient ${d.dropped.patientId}, ${d.dropped.label}) = ` +
          `line ${d.kept.row} ${d.kept.originalPath} (patient ${d.kept.patientId}, ${d.kept.label})`,
      );
    }
    if (s.duplicateImages.length > 20) out.push(`  ... ${s.duplicateImages.length - 20} more in summary.json`);
  }
  const failures = s.skipped.filter((x) => x.reason === 'conversion-failed' || x.reason === 'unsafe-path');
  for (const f of failures.slice(0, 20)) out.push(`skipped (${f.reason}): ${f.source} line ${f.row}: ${f.message ?? f.originalPath}`);
  if (failures.length > 20) out.push(`... ${failures.length - 20} more in summary.json`);
  if (s.dryRun) out.push('Dry run: nothing converted or written.');
  else {
    const what = s.shard ? `shard ${s.shard.index}/${s.shard.count} part ${s.manifestFile} (run cxr dataset merge when every shard is done)` : `${s.manifestFile} and summary.json`;
    out.push(`Wrote ${what} (${s.written} converted, ${s.reused} reused, ${s.failed} failed${s.mergedShards ? `, ${s.mergedShards} shards merged` : ''}).`);
  }
  out.push('', formatDataDesignAudit(auditBuild(s)).trimEnd());
  out.push('NOT FOR CLINICAL USE.');
  return `${out.join('\n')}\n`;
}
