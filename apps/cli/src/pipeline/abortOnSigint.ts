/**
 * Runs `work` with an AbortSignal that the first Ctrl-C (SIGINT) aborts, so long work can stop cleanly (e.g. training
 * leaves a resumable checkpoint). A second Ctrl-C exits at once (code 130). The handler is removed afterwards.
 *
 * @example
 * const result = await abortOnSigint((signal) => runTrain({ ...options, signal }), () => console.error('stopping...'));
 */
export async function abortOnSigint<T>(work: (signal: AbortSignal) => Promise<T>, onAbort?: () => void): Promise<T> {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(130);
    onAbort?.();
    controller.abort();
  };
  process.on('SIGINT', handler);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', handler);
  }
}
