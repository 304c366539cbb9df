import { ConfoundedDesignError } from '../errors';

/** Default share of a class from sources no other class has at or above which the design is confounded. */
export const CONFOUNDED_SHARE = 0.8;

/** One class's row of {@link DataDesignAudit}. */
export interface ClassSourceAudit {
  label: string;
  /** Images of this class. */
  n: number;
  /** Images per source. */
  bySource: Record<string, number>;
  /** Sources that give this class and no other class. */
  exclusiveSources: string[];
  /** Images of this class from those sources. */
  exclusiveCount: number;
  /** `exclusiveCount / n`: how much of the class a source alone could identify. */
  exclusiveShare: number;
  /** `exclusiveShare >= threshold`. */
  confounded: boolean;
}

/** What {@link auditDataDesign} found. */
export interface DataDesignAudit {
  /** Classes, in first-seen order. */
  classes: string[];
  /** Sources, in first-seen order. */
  sources: string[];
  /** Per class: the class x source counts and the share of the class from sources no other class has. */
  perClass: ClassSourceAudit[];
  /** The share at or above which a class counts as confounded with its sources. */
  threshold: number;
  /** True when any class is confounded. */
  confounded: boolean;
  /** One sentence per confounded class, e.g. `normal: 90% (99 of 110) from nih-cxr14, which has no other class`. */
  findings: string[];
  n: number;
}

/**
 * The data-design audit: can a model tell the classes apart by telling the SOURCES apart? Counts each class per
 * source, and for each class the share of its images from sources that no other class has. When that share is
 * `>= threshold` (default 0.8) for some class, "which collection is this image from" predicts the class for most of
 * it, and a classifier trained on the design can score well on any split of it while learning the source, not the
 * disease (DeGrave, Janizek and Lee, Nat Mach Intell 3, 610-619, 2021). Works on any records with `label` and
 * `source` (a built `manifest.csv` via `parseManifest`, or a user's own list). Browser-safe.
 *
 * @example
 * const audit = auditDataDesign(parseManifest(text));
 * if (audit.confounded) console.warn(audit.findings.join('\n'));
 */
export function auditDataDesign(records: Iterable<{ label: string; source: string }>, options: { threshold?: number } = {}): DataDesignAudit {
  const threshold = options.threshold ?? CONFOUNDED_SHARE;
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`auditDataDesign: threshold must be in (0, 1], got ${threshold}`);
  const counts = new Map<string, Map<string, number>>();
  const sources: string[] = [];
  let n = 0;
  for (const r of records) {
    n++;
    if (!sources.includes(r.source)) sources.push(r.source);
    const row = counts.get(r.label) ?? new Map<string, number>();
    counts.set(r.label, row);
    row.set(r.source, (row.get(r.source) ?? 0) + 1);
  }
  const classes = [...counts.keys()];
  const classesOf = (source: string): string[] => classes.filter((c) => (counts.get(c)?.get(source) ?? 0) > 0);
  const perClass = classes.map((label): ClassSourceAudit => {
    const row = counts.get(label)!;
    const total = [...row.values()].reduce((a, b) => a + b, 0);
    // a one-class dataset has no "other class", so no source can be exclusive against one
    const exclusiveSources = classes.length < 2 ? [] : [...row.keys()].filter((s) => classesOf(s).length === 1);
    const exclusiveCount = exclusiveSources.reduce((a, s) => a + row.get(s)!, 0);
    const exclusiveShare = total ? exclusiveCount / total : 0;
    return { label, n: total, bySource: Object.fromEntries(sources.filter((s) => row.has(s)).map((s) => [s, row.get(s)!])), exclusiveSources, exclusiveCount, exclusiveShare, confounded: exclusiveShare >= threshold };
  });
  const findings = perClass
    .filter((c) => c.confounded)
    .map((c) => `${c.label}: ${Math.round(c.exclusiveShare * 100)}% (${c.exclusiveCount} of ${c.n}) from ${c.exclusiveSources.join(', ')}, which ${c.exclusiveSources.length > 1 ? 'have' : 'has'} no other class`);
  return { classes, sources, perClass, threshold, confounded: findings.length > 0, findings, n };
}

/**
 * The audit as text: the class x source table, each class's share from sources no other class has, and the verdict;
 * when confounded, why it matters and what to do.
 */
export function formatDataDesignAudit(audit: DataDesignAudit): string {
  const head = ['class', ...audit.sources, 'total', 'from sources no other class has'];
  const rows = audit.perClass.map((c) => [
    c.label,
    ...audit.sources.map((s) => String(c.bySource[s] ?? 0)),
    String(c.n),
    `${Math.round(c.exclusiveShare * 100)}%${c.confounded ? ' CONFOUNDED' : ''}`,
  ]);
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]): string => r.map((v, k) => v.padEnd(widths[k])).join('  ').trimEnd();
  const out = ['Data design audit (class x source):', line(head), ...rows.map(line)];
  if (audit.confounded) out.push(confoundedMessage(audit));
  else out.push(`No class comes ${Math.round(audit.threshold * 100)}% or more from sources that no other class has.`);
  return `${out.join('\n')}\n`;
}

/** The three-part message of a confounded design: what, why it matters, what to do. */
export function confoundedMessage(audit: DataDesignAudit): string {
  return [
    `CONFOUNDED: ${audit.findings.join('; ')}.`,
    'Why it matters: where class and source coincide, a model can score well by recognising the source (scanner, hospital, ' +
      'collection, image processing) instead of the disease, and then fails on images from anywhere else (DeGrave et al., Nat Mach Intell 2021).',
    'What to do: add images of the other classes from the same sources (e.g. normals from the collection that gives the positives), ' +
      'or use a recipe whose every class comes from shared sources; then the source cannot stand in for the class.',
  ].join('\n');
}

/**
 * Throws {@link ConfoundedDesignError} (with the audit and the three-part message) when the design is confounded.
 *
 * @example assertNotConfounded(auditDataDesign(records)); // before training
 */
export function assertNotConfounded(audit: DataDesignAudit, file?: string): void {
  if (audit.confounded) throw new ConfoundedDesignError(audit, confoundedMessage(audit), file);
}
