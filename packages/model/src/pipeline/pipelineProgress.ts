/**
 * Where the pipeline functions report progress (optional everywhere): a bar for counted work, lines for facts
 * that stay. A CLI draws the bar on a terminal and prints plain lines elsewhere; a library user may log or ignore.
 *
 * @example
 * const progress: PipelineProgress = { bar: (l, d, t) => console.log(`${l} ${d}/${t}`), line: console.log, end: () => {} };
 */
export interface PipelineProgress {
  /** Counted work: `label [####----] done/total detail`; `force` asks for it to be shown even when throttled. */
  bar(label: string, done: number, total: number, detail?: string, force?: boolean): void;
  /** A line that stays (what was read, chosen or written). */
  line(text: string): void;
  /** Ends the current bar. */
  end(): void;
}
