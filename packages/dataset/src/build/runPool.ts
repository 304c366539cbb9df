/**
 * A bounded pool of concurrent async tasks: at most `size` run at once, and up to `backlog` more wait their turn
 * (in submission order). `submit` returns as soon as the task is running or waiting, and waits while `size + backlog`
 * tasks are taken, so a producer that awaits it never gets ahead by more than that many tasks (constant memory).
 * A backlog lets the producer keep reading while every slot is busy: a build's metadata scan (serial, on the main
 * thread) then overlaps the conversions instead of waiting for a free slot at each image. The first task error is
 * rethrown by `submit` or `drain`, and tasks still waiting then never start; tasks should catch the errors they can
 * handle themselves.
 */
export class TaskPool {
  private readonly running = new Set<Promise<void>>();
  private readonly waiting: (() => Promise<void>)[] = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly size: number,
    private readonly backlog = 0,
  ) {
    if (!(size >= 1)) throw new RangeError(`pool size must be >= 1, got ${size}`);
    if (!(backlog >= 0)) throw new RangeError(`pool backlog must be >= 0, got ${backlog}`);
  }

  /** Tasks running now. */
  get active(): number {
    return this.running.size;
  }

  /** Tasks waiting for a free slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Queues `task` once fewer than `size + backlog` tasks are running or waiting; it starts when a slot is free. */
  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size + this.waiting.length >= this.size + this.backlog) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    this.waiting.push(task);
    this.startWaiting();
  }

  /** Waits for every running and waiting task; rethrows the first failure. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }

  private startWaiting(): void {
    if (this.failure) this.waiting.length = 0;
    while (this.running.size < this.size && this.waiting.length > 0) {
      const task = this.waiting.shift() as () => Promise<void>;
      let started: Promise<void>;
      try {
        started = task();
      } catch (error) {
        started = Promise.reject(error);
      }
      const p: Promise<void> = started
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => {
          this.running.delete(p);
          this.startWaiting();
        });
      this.running.add(p);
    }
  }
}
