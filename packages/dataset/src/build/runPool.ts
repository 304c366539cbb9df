/**
 * A bounded pool of concurrent async tasks: `submit` waits while `size` tasks are running, so a producer that
 * awaits it never gets ahead by more than `size` tasks (constant memory). The first task error is rethrown by
 * `submit` or `drain`; tasks should catch the errors they can handle themselves.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`pool size must be >= 1, got ${size}`);
  }

  /** Starts `task` once fewer than `size` tasks run. */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.size) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    const p: Promise<void> = task()
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits for every running task; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }
}
