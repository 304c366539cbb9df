import { abortOnSigint } from './abortOnSigint';

describe('abortOnSigint', () => {
  it('turns the first SIGINT into an aborted signal, then removes its handler', async () => {
    const before = process.listenerCount('SIGINT');
    let told = 0;
    const result = await abortOnSigint(
      (signal) =>
        new Promise<string>((resolve) => {
          expect(signal.aborted).toBe(false);
          expect(process.listenerCount('SIGINT')).toBe(before + 1);
          signal.addEventListener('abort', () => resolve('stopped cleanly'));
          process.emit('SIGINT');
        }),
      () => told++,
    );
    expect(result).toBe('stopped cleanly');
    expect(told).toBe(1);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('removes its handler when the work fails too', async () => {
    const before = process.listenerCount('SIGINT');
    await expect(abortOnSigint(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
