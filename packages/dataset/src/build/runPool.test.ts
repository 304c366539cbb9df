import { TaskPool } from './runPool';

/** A task that runs until `finish()` (or `fail()`), recording when it started. */
function controlled(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const task = async (): Promise<void> => {
    log.push(`start ${name}`);
    await done;
    log.push(`end ${name}`);
  };
  return { task, finish: () => finish(), fail: (e: Error) => fail(e) };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TaskPool', () => {
  it('runs at most `size` tasks, keeps up to `backlog` more waiting, and starts them in submission order', async () => {
    const log: string[] = [];
    const pool = new TaskPool(2, 3);
    const tasks = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => controlled(log, n));
    let submitted = 0;
    const producer = (async () => {
      for (const t of tasks) {
        await pool.submit(t.task);
        submitted++;
      }
    })();
    await settle();
    // 2 running + 3 waiting: the producer got 5 ahead and waits to submit the sixth.
    expect(submitted).toBe(5);
    expect([pool.active, pool.queued]).toEqual([2, 3]);
    expect(log).toEqual(['start a', 'start b']);
    tasks[1]?.finish();
    await settle();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    expect(submitted).toBe(6);
    expect([pool.active, pool.queued]).toEqual([2, 3]);
    for (const t of tasks) t.finish();
    await producer;
    await pool.drain();
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start a', 'start b', 'start c', 'start d', 'start e', 'start f']);
    expect([pool.active, pool.queued]).toEqual([0, 0]);
  });

  it('without a backlog, submit waits for a free slot', async () => {
    const log: string[] = [];
    const pool = new TaskPool(1);
    const [a, b] = [controlled(log, 'a'), controlled(log, 'b')];
    await pool.submit(a.task);
    let second = false;
    const p = pool.submit(b.task).then(() => (second = true));
    await settle();
    expect(second).toBe(false);
    a.finish();
    await p;
    expect(log).toEqual(['start a', 'end a', 'start b']);
    b.finish();
    await pool.drain();
  });

  it('after a task fails, waiting tasks never start, and submit and drain rethrow the first error', async () => {
    const log: string[] = [];
    const pool = new TaskPool(1, 2);
    const [a, b, c] = [controlled(log, 'a'), controlled(log, 'b'), controlled(log, 'c')];
    for (const t of [a, b, c]) await pool.submit(t.task);
    a.fail(new Error('a broke'));
    await expect(pool.drain()).rejects.toThrow('a broke');
    await expect(pool.submit(async () => undefined)).rejects.toThrow('a broke');
    expect(log).toEqual(['start a']);
  });

  it('refuses a size below 1 or a negative backlog', () => {
    expect(() => new TaskPool(0)).toThrow(/size must be >= 1, got 0/);
    expect(() => new TaskPool(1, -1)).toThrow(/backlog must be >= 0, got -1/);
  });
});
