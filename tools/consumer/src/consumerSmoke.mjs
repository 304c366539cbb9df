#!/usr/bin/env node
// Consumer smoke test: packs every library (packages/*) and the CLI (apps/cli) with `npm pack`, installs the
// tarballs into a scratch project outside the workspace, and checks them as a user would get them:
//   - every tarball holds the files its `exports` map points at, and no sources;
//   - `import` (ESM) and `require` (CJS) of each package and its subpath entries (`/node`) work, and every value
//     export declared in the entry's .d.mts / .d.ts is present at runtime;
//   - a real function works (`binaryMetrics` gives a hand-computed sensitivity; typed errors keep their class);
//   - `node_modules/.bin/cxr --help` exits 0 and says NOT FOR CLINICAL USE; `cxr metrics` measures a CSV;
//   - the consumer example (src/example/pipeline.mts) type-checks and runs the whole pipeline from the tarballs.
// Prints PASS/FAIL lines, exits 1 on any failure, and removes its temp dir (keep it with CXR_CONSUMER_KEEP=1).
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const started = Date.now();
let failures = 0;

function pass(what) {
  console.log(`PASS ${what}`);
}
function fail(what, detail) {
  failures++;
  console.log(`FAIL ${what}${detail ? `\n     ${String(detail).trim().split('\n').join('\n     ')}` : ''}`);
}
function check(what, ok, detail) {
  if (ok) pass(what);
  else fail(what, detail);
  return ok;
}

// npm run from `npm test` passes its own npm_* settings down (workspace, prefix...): a consumer has none.
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(cache|userconfig|registry)$/i.test(k)) continue;
    if (k === 'INIT_CWD' || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, npm_config_loglevel: 'error', npm_config_update_notifier: 'false', npm_config_fund: 'false' };
}
const env = cleanEnv();

async function sh(file, args, cwd, options = {}) {
  return run(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024, timeout: 180_000, ...options });
}

/** Every file an `exports` map points at (conditions flattened), relative to the package. */
function exportTargets(exportsField) {
  const out = new Set();
  const walk = (v) => {
    if (typeof v === 'string') out.add(v);
    else if (v && typeof v === 'object') for (const [k, w] of Object.entries(v)) if (k !== '@cxr/source') walk(w);
  };
  walk(exportsField);
  return [...out].filter((t) => t.startsWith('./') && !t.endsWith('package.json')).map((t) => t.slice(2));
}

/** Names of the value (not type-only) exports a declaration file declares, via the TypeScript compiler. */
function valueExports(dtsFile) {
  const program = ts.createProgram([dtsFile], { noEmit: true, skipLibCheck: true, types: [], noResolve: false });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(dtsFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) return [];
  return checker
    .getExportsOfModule(moduleSymbol)
    .filter((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return (target.flags & ts.SymbolFlags.Value) !== 0;
    })
    .map((s) => s.getName())
    .sort();
}

/** The library and app packages to pack: name, dir, manifest. */
function workspacePackages() {
  const libs = readdirSync(path.join(root, 'packages'))
    .map((d) => path.join(root, 'packages', d))
    .filter((d) => existsSync(path.join(d, 'package.json')));
  return [...libs, path.join(root, 'apps/cli')].map((dir) => ({
    dir,
    manifest: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')),
  }));
}

async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-consumer-'));
  const tarballDir = path.join(tmp, 'tarballs');
  const project = path.join(tmp, 'project');
  await mkdir(tarballDir);
  await mkdir(project);
  try {
    const packages = workspacePackages();
    const libraries = packages.filter((p) => !p.manifest.private);
    const tarballs = [];

    // 1. Pack: the tarball must hold every file the exports map (and bin) points at, and no sources.
    for (const { dir, manifest } of packages) {
      const targets = [...exportTargets(manifest.exports ?? {}), ...Object.values(manifest.bin ?? {}), manifest.main].filter(Boolean);
      const missing = targets.filter((t) => !existsSync(path.join(dir, t)));
      if (missing.length > 0) {
        fail(`${manifest.name}: built`, `missing ${missing.join(', ')}; run \`npm run build\` (nx runs ^build before this test)`);
        continue;
      }
      try {
        const { stdout } = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tarballDir], dir);
        const [info] = JSON.parse(stdout);
        const files = new Set(info.files.map((f) => f.path));
        const absent = targets.map((t) => path.posix.normalize(t)).filter((t) => !files.has(t));
        const sources = [...files].filter((f) => /^src\/|\.test\.|__fixtures__/.test(f));
        if (check(`${manifest.name}: npm pack (${info.files.length} files, ${(info.size / 1024).toFixed(0)} KiB)`, absent.length === 0 && sources.length === 0, `not in tarball: ${absent.join(', ')}; unexpected: ${sources.slice(0, 5).join(', ')}`)) {
          tarballs.push(path.join(tarballDir, info.filename));
        }
      } catch (error) {
        fail(`${manifest.name}: npm pack`, error.stderr || error.message);
      }
    }
    if (tarballs.length !== packages.length) return;

    // 2. A scratch project outside the workspace installs the tarballs (peer deps come from the registry/cache).
    await sh('npm', ['init', '-y'], project);
    try {
      const t0 = Date.now();
      await sh('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--prefer-offline', ...tarballs], project, { timeout: 300_000 });
      pass(`npm install of ${tarballs.length} tarballs in a scratch project (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (error) {
      fail('npm install of the tarballs', error.stderr || error.message);
      return;
    }

    // 3. Every entry point, by import and by require: declared value exports present at runtime.
    const entries = [];
    for (const { manifest } of libraries) {
      for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
        if (subpath.endsWith('package.json') || typeof conditions !== 'object') continue;
        const specifier = subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`;
        const installed = path.join(project, 'node_modules', manifest.name);
        const types = (c) => (c && typeof c === 'object' ? c.types : undefined);
        const esmTypes = types(conditions.import);
        const cjsTypes = types(conditions.require);
        entries.push({
          specifier,
          esm: esmTypes ? valueExports(path.join(installed, esmTypes)) : [],
          cjs: cjsTypes ? valueExports(path.join(installed, cjsTypes)) : [],
        });
      }
    }
    await writeFile(path.join(project, 'entries.json'), JSON.stringify(entries));
    for (const e of entries) {
      check(`${e.specifier}: declares value exports (${e.esm.length} ESM, ${e.cjs.length} CJS)`, e.esm.length > 0 && e.cjs.length > 0);
    }

    const checkExports = `
      const problems = [];
      for (const e of entries) {
        let m;
        try { m = await load(e.specifier); } catch (error) { problems.push(e.specifier + ': ' + (error && error.message)); continue; }
        const names = e[kind];
        const absent = names.filter((n) => !(n in m) || m[n] === undefined);
        if (absent.length) problems.push(e.specifier + ': missing ' + absent.join(', '));
        else console.log('ok ' + e.specifier + ' ' + names.length);
      }
      const { binaryMetrics, MetricsError, InvalidScoreError, formatClassificationReport, classificationReport } = await load('@cxr/metrics');
      // Hand computation: covid 0.9 (TP), 0.4 (FN); normal 0.2 (TN), 0.6 (FP) -> sensitivity 1/2, AUC 3/4.
      const r = binaryMetrics({ labels: ['covid', 'covid', 'normal', 'normal'], scores: [0.9, 0.4, 0.2, 0.6], positiveLabel: 'covid' });
      if (r.sensitivity.value !== 0.5 || r.auc.value !== 0.75) problems.push('binaryMetrics gave ' + JSON.stringify([r.sensitivity, r.auc]));
      try { binaryMetrics({ labels: ['covid'], scores: [2], positiveLabel: 'covid' }); problems.push('no error for score 2'); }
      catch (error) { if (!(error instanceof InvalidScoreError && error instanceof MetricsError)) problems.push('error class lost: ' + error); }
      // An error thrown through a package's /node entry is an instance of the base class its main entry exports
      // (one copy of each class shared by both entries in ESM and CJS builds alike).
      const { ModelError } = await load('@cxr/model');
      const { loadModel } = await load('@cxr/model/node');
      try { await loadModel('/nonexistent-cxr-model'); problems.push('no error for a missing model folder'); }
      catch (error) { if (!(error instanceof ModelError)) problems.push('ModelError from @cxr/model/node is not a ModelError of @cxr/model: ' + error); }
      const { DatasetError } = await load('@cxr/dataset');
      const { readManifest } = await load('@cxr/dataset/node');
      try { await readManifest('/nonexistent-cxr-manifest.csv'); problems.push('no error for a missing manifest'); }
      catch (error) { if (!(error instanceof DatasetError)) problems.push('DatasetError from @cxr/dataset/node is not a DatasetError of @cxr/dataset: ' + error); }
      const text = formatClassificationReport(classificationReport(['a', 'b'], ['a', 'b'], { labels: ['a', 'b'] }));
      if (!text.startsWith('              precision    recall  f1-score   support')) problems.push('report layout: ' + text);
      if (problems.length) { console.error(problems.join('\\n')); process.exit(1); }
    `;
    await writeFile(
      path.join(project, 'check.mjs'),
      `import { readFileSync } from 'node:fs';\nconst entries = JSON.parse(readFileSync(new URL('./entries.json', import.meta.url), 'utf8'));\nconst kind = 'esm';\nconst load = (s) => import(s);\n${checkExports}`,
    );
    await writeFile(
      path.join(project, 'check.cjs'),
      `const entries = require('./entries.json');\nconst kind = 'cjs';\nconst load = async (s) => require(s);\n(async () => {\n${checkExports}\n})().catch((e) => { console.error(e); process.exit(1); });`,
    );
    for (const [file, kind] of [['check.mjs', 'ESM import'], ['check.cjs', 'CJS require']]) {
      try {
        const { stdout } = await sh(process.execPath, [file], project);
        check(`${kind}: ${entries.map((e) => e.specifier).join(', ')} load with every declared export; binaryMetrics sensitivity 0.5, AUC 0.75`, stdout.split('\n').filter((l) => l.startsWith('ok ')).length === entries.length, stdout);
      } catch (error) {
        fail(`${kind} of the installed packages`, `${error.stdout ?? ''}${error.stderr ?? error.message}`);
      }
    }

    // 4. The packed CLI: help and a real `cxr metrics` run.
    const cxr = path.join(project, 'node_modules', '.bin', 'cxr');
    let help = '';
    try {
      help = (await sh(cxr, ['--help'], project)).stdout;
      check('cxr --help exits 0 and says NOT FOR CLINICAL USE', help.includes('NOT FOR CLINICAL USE'), help);
    } catch (error) {
      fail('cxr --help', `exit ${error.code}: ${error.stderr || error.message}`);
    }
    // Other commands come and go; `metrics` is checked end to end once it is registered.
    if (/^\s+metrics\b/m.test(help)) {
      await writeFile(path.join(project, 'preds.csv'), 'path,label,score\n"a, 1.png",covid,0.9\nb.png,covid,0.4\nc.png,normal,0.2\nd.png,normal,0.6\n');
      try {
        const { stdout } = await sh(cxr, ['metrics', '--predictions', 'preds.csv', '--json', '--bootstrap', '100'], project);
        const json = JSON.parse(stdout);
        check('cxr metrics on a CSV (installed CLI): sensitivity 0.5, AUC 0.75', json.sensitivity.value === 0.5 && json.auc.value === 0.75, stdout.slice(0, 300));
      } catch (error) {
        fail('cxr metrics on a CSV', `exit ${error.code}: ${error.stderr || error.message}`);
      }
    } else {
      fail('cxr --help lists the metrics command', help);
    }

    // 5. The consumer example (src/example/pipeline.mts, under 40 lines): type-checked against the installed
    //    declarations, then run: synthetic dataset, build, train, evaluate with the report, predict with Grad-CAM.
    await runPipelineExample(project);
  } finally {
    if (process.env.CXR_CONSUMER_KEEP === '1') console.log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

/** Type-checks the example against the installed packages' .d.ts (strict, NodeNext), compiles it, runs it and checks its output. */
async function runPipelineExample(project) {
  const example = path.join(project, 'pipeline.mts');
  await writeFile(example, readFileSync(path.join(root, 'tools/consumer/src/example/pipeline.mts'), 'utf8'));
  const lines = readFileSync(example, 'utf8').trimEnd().split('\n').length;
  check(`consumer example is under 40 lines of TypeScript (${lines})`, lines < 40);
  const options = {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true,
    skipLibCheck: true, types: ['node'], typeRoots: [path.join(root, 'node_modules/@types')],
  };
  const program = ts.createProgram([example], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  if (!check('consumer example type-checks against the installed declarations (strict, NodeNext)', diagnostics.length === 0, diagnostics.slice(0, 5).join('\n'))) return;
  const js = ts.transpileModule(readFileSync(example, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  await writeFile(path.join(project, 'pipeline.mjs'), js);
  try {
    const t0 = Date.now();
    const { stdout } = await sh(process.execPath, ['pipeline.mjs', 'example-out'], project, { timeout: 300_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop());
    const p = r.prediction;
    const files = [r.report, p && p.heatmap].filter(Boolean);
    check(
      `consumer example: built, trained (${r.split.train}/${r.split.val}/${r.split.test}), evaluated (test AUC ${r.auc}), report and Grad-CAM written (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
      p && p.ok === true && typeof p.probabilities.covid === 'number' && files.length === 2 && files.every((f) => existsSync(f)) && r.split.test > 0,
      stdout.slice(-600),
    );
  } catch (error) {
    fail('consumer example run', `${error.stdout ?? ''}${error.stderr ?? error.message}`);
  }
}

main()
  .catch((error) => fail('consumer smoke test', error.stack ?? error))
  .finally(() => {
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(failures === 0 ? `PASS consumer smoke test (${seconds} s)` : `FAIL consumer smoke test: ${failures} failure(s) (${seconds} s)`);
    process.exitCode = failures === 0 ? 0 : 1;
  });
