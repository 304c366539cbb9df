import { Writable } from 'node:stream';
import { createProgress } from './progress';

function ctxWith(isTTY: boolean) {
  let text = '';
  const stderr = Object.assign(new Writable({ write(chunk, _e, done) { text += String(chunk); done(); } }), { isTTY });
  return { ctx: { stdout: stderr, stderr, cwd: '.' }, text: () => text };
}

describe('createProgress', () => {
  it('on a terminal redraws one bar in place and ends its line', () => {
    const { ctx, text } = ctxWith(true);
    const p = createProgress(ctx);
    p.bar('features', 0, 4, '', true);
    p.bar('features', 4, 4);
    p.end();
    // 24-character bar: 0/4 -> empty, 4/4 -> full
    expect(text()).toBe(`\r\x1b[2Kfeatures [${'-'.repeat(24)}] 0/4\r\x1b[2Kfeatures [${'#'.repeat(24)}] 4/4\n`);
  });

  it('elsewhere prints plain lines: the first, forced ones and the last, not every update', () => {
    const { ctx, text } = ctxWith(false);
    const p = createProgress(ctx, { plainEveryMs: 60_000 });
    for (let i = 1; i <= 10; i++) p.bar('predict', i, 10);
    p.line('done');
    expect(text()).toBe('predict: 1/10\npredict: 10/10\ndone\n');
    expect(text()).not.toContain('\r');
  });

  it('status lines: rewritten in place on a terminal, throttled plain lines elsewhere unless forced', () => {
    const tty = ctxWith(true);
    const t = createProgress(tty.ctx);
    t.status('nih: 10 rows read');
    t.status('nih: 20 rows read'); // within 100 ms of the first: not drawn
    t.status('nih: 30 rows read', true);
    t.end();
    expect(tty.text()).toBe('\r\x1b[2Knih: 10 rows read\r\x1b[2Knih: 30 rows read\n');
    const plain = ctxWith(false);
    const p = createProgress(plain.ctx, { plainEveryMs: 60_000 });
    p.status('[1/3] ok a.dcm', true);
    p.status('skipped');
    p.status('[2/3] failed b.dcm', true);
    p.end();
    expect(plain.text()).toBe('[1/3] ok a.dcm\n[2/3] failed b.dcm\n');
  });

  it('prints nothing when quiet', () => {
    const { ctx, text } = ctxWith(true);
    const p = createProgress(ctx, { quiet: true });
    p.bar('x', 1, 2);
    p.line('y');
    p.end();
    expect(text()).toBe('');
  });
});
