import type { CliContext } from '../command';

/** Progress output: a bar rewritten in place on a terminal, plain lines now and then elsewhere (CI, pipes). */
export interface Progress {
  /** Shows `label [####----] done/total detail`; on a non-terminal, printed only when `force` or every `plainEveryMs`. */
  bar(label: string, done: number, total: number, detail?: string, force?: boolean): void;
  /** Shows `text` as the current status line, throttled like {@link Progress.bar} unless `force`. */
  status(text: string, force?: boolean): void;
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
  /** Draws `onTerminal` in place on a terminal, or `plain` as a line elsewhere, at most every 100 ms / `plainEveryMs`. */
  const draw = (onTerminal: string, plain: string, force: boolean): void => {
    if (options.quiet) return;
    const now = Date.now();
    if (!force && now - lastDraw < (tty ? 100 : plainEveryMs)) return;
    lastDraw = now;
    if (tty) {
      ctx.stderr.write(`\r\x1b[2K${onTerminal}`);
      onBar = true;
    } else {
      ctx.stderr.write(`${plain}\n`);
    }
  };
  return {
    bar(label, done, total, detail = '', force = false) {
      const width = 24;
      const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : 0;
      const tail = `${done}/${total}${detail ? ` ${detail}` : ''}`;
      draw(`${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${tail}`, `${label}: ${tail}`, force || done >= total);
    },
    status(text, force = false) {
      draw(text, text, force);
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
