import fc from 'fast-check';

/** A mutated copy of a file and how it was made (shown when a property fails). */
export interface Mutant<T> {
  value: T;
  how: string;
}

/** Options of {@link byteMutant}. */
export interface ByteMutantOptions {
  /** Mutations favour bytes before this offset (headers, lengths, sizes); default 4096. */
  headerEnd?: number;
}

/**
 * Seeded mutants of a binary file, as a fast-check arbitrary: truncation, flipped bits, a 16- or 32-bit field set to
 * a boundary value (0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF...), a run of random bytes, or bytes repeated. Most mutations
 * land in the first `headerEnd` bytes, where a parser reads lengths and sizes.
 *
 * @example fc.assert(fc.asyncProperty(byteMutant(bytes), async ({ value }) => { ... }), { seed: 42, numRuns: 300 });
 */
export function byteMutant(original: Uint8Array, options: ByteMutantOptions = {}): fc.Arbitrary<Mutant<Uint8Array>> {
  const n = original.length;
  const headerEnd = Math.max(1, Math.min(n, options.headerEnd ?? 4096));
  const offset = fc.oneof({ weight: 4, arbitrary: fc.nat({ max: headerEnd - 1 }) }, { weight: 1, arbitrary: fc.nat({ max: n - 1 }) });
  const boundary = fc.constantFrom(0, 1, 2, 0xff, 0x100, 0x7fff, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0xfffffffe, 0xffffffff);
  const truncate = fc.nat({ max: n - 1 }).map((at) => ({ value: original.slice(0, at), how: `truncated to ${at} bytes` }));
  const flips = fc.array(fc.tuple(offset, fc.nat({ max: 7 })), { minLength: 1, maxLength: 8 }).map((list) => {
    const bytes = original.slice();
    for (const [at, bit] of list) bytes[at] ^= 1 << bit;
    return { value: bytes, how: `bits flipped at ${list.map(([at, bit]) => `${at}.${bit}`).join(', ')}` };
  });
  const field = fc.tuple(offset, boundary, fc.boolean()).map(([at, v, wide]) => {
    const bytes = original.slice();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (wide && at + 4 <= n) view.setUint32(at, v >>> 0, true);
    else if (at + 2 <= n) view.setUint16(at, v & 0xffff, true);
    return { value: bytes, how: `${wide ? 32 : 16}-bit field at ${at} set to ${v}` };
  });
  const randomRun = fc.tuple(offset, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, run]) => {
    const bytes = original.slice();
    bytes.set(run.subarray(0, Math.max(0, n - at)), at);
    return { value: bytes, how: `${run.length} random bytes at ${at}` };
  });
  const repeat = fc.tuple(offset, fc.integer({ min: 1, max: 512 })).map(([at, len]) => {
    const chunk = original.slice(at, at + len);
    const bytes = new Uint8Array(n + chunk.length);
    bytes.set(original.subarray(0, at + chunk.length));
    bytes.set(chunk, at + chunk.length);
    bytes.set(original.subarray(at + chunk.length), at + 2 * chunk.length);
    return { value: bytes, how: `${chunk.length} bytes at ${at} repeated` };
  });
  return fc.oneof(truncate, flips, field, randomRun, repeat);
}

/**
 * Seeded mutants of a CSV text: a line dropped, duplicated or cut, a quote or delimiter inserted, a field emptied,
 * the header damaged, a NUL or a very long field, the file cut anywhere.
 */
export function csvMutant(original: string): fc.Arbitrary<Mutant<string>> {
  const lines = original.split('\n');
  const line = fc.nat({ max: lines.length - 1 });
  const pos = fc.nat({ max: Math.max(0, original.length - 1) });
  const edit = (f: (l: string[]) => void, how: string) => {
    const copy = [...lines];
    f(copy);
    return { value: copy.join('\n'), how };
  };
  return fc.oneof(
    pos.map((at) => ({ value: original.slice(0, at), how: `cut at character ${at}` })),
    line.map((i) => edit((l) => l.splice(i, 1), `line ${i + 1} dropped`)),
    line.map((i) => edit((l) => l.splice(i, 0, l[i]), `line ${i + 1} doubled`)),
    fc.tuple(pos, fc.constantFrom('"', ',', '\n', '\r', '\0', '""', '\uFEFF', 'x'.repeat(100_000))).map(([at, s]) => ({
      value: original.slice(0, at) + s + original.slice(at),
      how: `${JSON.stringify(s.length > 8 ? `${s.length} x's` : s)} inserted at ${at}`,
    })),
    fc.tuple(line, fc.nat({ max: 40 })).map(([i, k]) => edit((l) => (l[i] = l[i].split(',').map((f, j) => (j === k ? '' : f)).join(',')), `field ${k} of line ${i + 1} emptied`)),
    fc.tuple(fc.nat({ max: 40 }), fc.string({ maxLength: 12 })).map(([k, s]) => edit((l) => (l[0] = l[0].split(',').map((f, j) => (j === k ? s : f)).join(',')), `header field ${k} set to ${JSON.stringify(s)}`)),
  );
}

/**
 * What is wrong with a refusal's message, by the toolkit's rule: it names the file, says a cause after it, fits on
 * one line, is never `[object Object]`, and never says "not found" of a file that exists. Empty when it is fine.
 *
 * @example expect(refusalProblems(error.message, 'scan.dcm', { fileExists: true })).toEqual([]);
 */
export function refusalProblems(message: string, file: string, options: { fileExists: boolean } = { fileExists: true }): string[] {
  const problems: string[] = [];
  if (!message.includes(file)) problems.push('does not name the file');
  if (message.includes('[object Object]')) problems.push('says [object Object]');
  if (/\n/.test(message)) problems.push('spans several lines');
  if (options.fileExists && /not found|no such file|ENOENT/i.test(message)) problems.push('says "not found" of a file that exists');
  const afterFile = message.slice(message.indexOf(file) + file.length);
  const cause = message.replace(file, '').replace(/[^A-Za-z]/g, '');
  if (/:\s*$/.test(message) || cause.length < 12 || (afterFile.trim() === '' && message.indexOf(file) < 8)) problems.push('gives no cause');
  return problems;
}
