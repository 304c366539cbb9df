import type { CliContext } from '../command';

/** Progress output: a bar rewritten in place on a terminal, plain lines now and then elsewhere (CI, pipes). */
export interface Progress {
  /** Shows `label [####----] done/total detail`; on a non-terminal, printed only when `force` or every `plainEveryMs`. */
  bar(label: string, done: number, total: number, detail?: string, force?: boolean): void;
  /** A line that stays (clears the bar first on a terminal). */
  line(text: string): void;
  /** Ends the bar's line on a terminal. */
  end(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Print nothing (e.g. with `--json`, where only the JSON may go to stdout; progress goes to stderr anyway). */
  quiet?: boolean;
  /** Minimum time between plain (non-terminal) bar lines; default 5000 ms. */
  plainEveryMs?: number;
}

/**
 * Progress on `ctx.stderr`: a TTY gets a bar redrawn at most 10 times a second; anything else gets one plain
 * line per `plainEveryMs` plus every forced update (end of an epoch, the last item), so logs stay short.
 *
 * @example
 * const progress = createProgress(ctx);
 * progress.bar('features', 3, 10, 'cache 1 hit'); progress.end();
 */
export function createProgress(ctx: CliContext, options: ProgressOptions = {}): Progress {
  const tty = ctx.stderr.isTTY === true;
  const plainEveryMs = options.plainEveryMs ?? 5000;
  let lastDraw = 0;
  let onBar = false;
  const clear = (): void => {
    if (tty && onBar) ctx.stderr.write('\r\x1b[2K');
    onBar = false;
  };
  return {
    bar(label, done, total, detail = '', force = false) {
      if (options.quiet) return;
      const now = Date.now();
      const last = done >= total;
      if (tty) {
        if (!force && !last && now - lastDraw < 100) return;
        lastDraw = now;
        const width = 24;
        const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
        ctx.stderr.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${detail ? ` ${detail}` : ''}`);
        onBar = true;
      } else {
        if (!force && !last && now - lastDraw < plainEveryMs) return;
        lastDraw = now;
        ctx.stderr.write(`${label}: ${done}/${total}${detail ? ` ${detail}` : ''}\n`);
      }
    },
    line(text) {
      if (options.quiet) return;
      clear();
      ctx.stderr.write(`${text}\n`);
    },
    end() {
      if (tty && onBar) ctx.stderr.write('\n');
      onBar = false;
    },
  };
}
