#!/usr/bin/env node
// The bench runner: runs every tools/bench/src/*.bench.mjs (or those whose name contains one of the
// arguments), one at a time, each in its own child process (a bench that crashes, hangs or leaves a tfjs
// backend registered cannot disturb the next), prints one table and merges the results into
// bench/results.json at the repo root (atomic write). Usage:
//
//   npm run bench                         # build, then every bench
//   node tools/bench/src/run.mjs onnx     # only benches whose file name contains "onnx"
//
// A bench module exports `async function run()` returning { name, rows: [{ metric, value, unit }], notes }.
// Exit code 1 when a bench failed (the others still run and are written).
import { fork } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const runnerDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(runnerDir, '../../..');
// Overridable to try the runner on other benches without touching the real results.
const here = path.resolve(process.env.CXR_BENCH_DIR ?? runnerDir);
const resultsFile = path.resolve(process.env.CXR_BENCH_RESULTS ?? path.join(repoRoot, 'bench', 'results.json'));
const timeoutS = Number(process.env.CXR_BENCH_TIMEOUT_S ?? 1800);

/** Child mode: import one bench, run it, send its result (or error) to the parent. */
async function child(file) {
  try {
    const mod = await import(pathToFileURL(file).href);
    if (typeof mod.run !== 'function') throw new Error(`${path.basename(file)} does not export an async function run()`);
    const result = await mod.run();
    validate(result, file);
    reply({ ok: true, result });
  } catch (error) {
    reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

/** Sends the result, then exits: a bench's leftover handles (thread pools, timers) must not keep it alive. */
function reply(message) {
  process.send(message, () => process.exit(0));
}

function validate(result, file) {
  const where = path.basename(file);
  if (!result || typeof result.name !== 'string' || !Array.isArray(result.rows)) {
    throw new Error(`${where}: run() must return { name, rows: [{ metric, value, unit }], notes }`);
  }
  for (const row of result.rows) {
    if (typeof row?.metric !== 'string' || typeof row.value !== 'number' || typeof row.unit !== 'string') {
      throw new Error(`${where}: bad row ${JSON.stringify(row)} (metric: string, value: number, unit: string)`);
    }
  }
}

/** Runs one bench file in a child process; resolves to { ok, result | error, seconds }. */
function runInChild(file) {
  const started = Date.now();
  return new Promise((resolve) => {
    let message;
    const proc = fork(fileURLToPath(import.meta.url), ['--child', file], { stdio: 'inherit' });
    const timer = setTimeout(() => {
      message = { ok: false, error: `timed out after ${timeoutS} s (CXR_BENCH_TIMEOUT_S)` };
      proc.kill('SIGKILL');
    }, timeoutS * 1000);
    proc.on('message', (m) => (message ??= m));
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({
        ...(message ?? { ok: false, error: `exited with ${signal ?? `code ${code}`} without a result` }),
        seconds: (Date.now() - started) / 1000,
      });
    });
  });
}

function formatValue(v) {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 0.01 || abs >= 1e6)) return v.toExponential(3);
  return Number(v.toPrecision(4)).toString();
}

function printTable(entries) {
  const lines = [['bench', 'metric', 'value', 'unit']];
  for (const e of entries) {
    if (!e.ok) lines.push([e.file, 'FAILED', '', e.error.split('\n')[0]]);
    else for (const r of e.result.rows) lines.push([e.result.name, r.metric, formatValue(r.value), r.unit]);
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const fmt = (l) => l.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  console.log(fmt(lines[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines.slice(1)) console.log(fmt(l));
  for (const e of entries) {
    if (e.ok && e.result.notes) console.log(`\n${e.result.name}: ${Array.isArray(e.result.notes) ? e.result.notes.join('\n  ') : e.result.notes}`);
    if (!e.ok) console.log(`\n${e.file} FAILED:\n${e.error}`);
  }
}

/** Merges into the existing results (by bench file) and writes atomically (temp file + rename). */
async function writeResults(entries) {
  let previous = { benches: {} };
  try {
    previous = JSON.parse(await readFile(resultsFile, 'utf8'));
    if (typeof previous.benches !== 'object' || previous.benches === null) previous = { benches: {} };
  } catch {
    // first run, or an unreadable file: start afresh
  }
  const machine = { platform: `${process.platform}-${process.arch}`, node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30) };
  for (const e of entries) {
    previous.benches[e.file] = {
      date: new Date().toISOString(),
      machine,
      seconds: Math.round(e.seconds * 10) / 10,
      ...(e.ok ? e.result : { name: e.file, failed: true, error: e.error.split('\n')[0] }),
    };
  }
  previous.updated = new Date().toISOString();
  await mkdir(path.dirname(resultsFile), { recursive: true });
  const tmp = path.join(path.dirname(resultsFile), `results.${process.pid}.json.tmp`);
  try {
    await writeFile(tmp, `${JSON.stringify(previous, null, 2)}\n`);
    await rename(tmp, resultsFile);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

async function main() {
  const filters = process.argv.slice(2);
  const files = (await readdir(here))
    .filter((f) => f.endsWith('.bench.mjs'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();
  if (files.length === 0) {
    console.error(`No bench matches ${filters.join(', ') || '*'} in ${here}`);
    process.exit(2);
  }
  console.log(`Running ${files.length} bench(es) one at a time: ${files.join(', ')} (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  const entries = [];
  for (const file of files) {
    console.log(`\n== ${file}`);
    const entry = { file, ...(await runInChild(path.join(here, file))) };
    console.log(entry.ok ? `== ${file} done in ${entry.seconds.toFixed(1)} s` : `== ${file} FAILED after ${entry.seconds.toFixed(1)} s`);
    entries.push(entry);
  }
  console.log('');
  printTable(entries);
  await writeResults(entries);
  console.log(`\nWrote ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
  if (entries.some((e) => !e.ok)) process.exitCode = 1;
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await main();
