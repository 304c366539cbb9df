// Where the browser demo's time goes: page load -> ready and file chosen -> probabilities, per stage.
//   node tools/bench/src/webProfile.mjs [--cpu] [--rounds n] [--dist <built dist>] [--query 'backend=wasm']
// Builds apps/web (unminified with --cpu, so profile names are readable), saves the bench's MobileNet model,
// serves both, and prints the page's performance marks, the resource timings of the model and the .wasm files,
// and with --cpu the top self-time functions of a V8 CPU profile of each phase.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeWebModel } from './webModel.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const webRoot = path.join(repoRoot, 'apps/web');
const sharedData = process.env.CXR_SHARED_DATA ?? path.resolve(repoRoot, '../shared/data');
const arg = (name, d) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : d;
};
const cpu = process.argv.includes('--cpu');
const rounds = Number(arg('--rounds', 2));
const query = arg('--query', '');

function topSelf(profile, n = 15) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const dt = profile.timeDeltas;
  const counts = new Map();
  profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
  for (const [id, us] of counts) {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anon)'} ${path.basename(f.url || '')}:${f.lineNumber}`;
    self.set(key, (self.get(key) ?? 0) + us);
  }
  // inclusive time: each sample counted once per distinct function on its stack
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const incl = new Map();
  for (const [id, us] of counts) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      const key = `${f.functionName || '(anon)'} ${path.basename(f.url || '')}:${f.lineNumber}`;
      if (!seen.has(key)) {
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + us);
      }
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const inclusive = [...incl.entries()].filter(([k]) => !k.startsWith('(')).sort((a, b) => b[1] - a[1]).filter(([k]) => !process.env.CXR_PROFILE_GREP || new RegExp(process.env.CXR_PROFILE_GREP).test(k)).slice(0, 45).map(([k, us]) => `${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
  return { totalMs: Math.round(total / 1000), inclusive, top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`) };
}

const tmp = await mkdtemp(path.join(os.tmpdir(), 'cxr-web-profile-'));
let server;
let browser;
try {
  let dist = arg('--dist');
  if (!dist) {
    dist = path.join(tmp, 'dist');
    execFileSync(process.execPath, [path.join(webRoot, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', dist, '--logLevel', 'error', ...(cpu ? ['--minify', 'false'] : [])], { cwd: webRoot, stdio: 'inherit' });
  }
  const modelDir = process.env.CXR_PROFILE_MODEL ?? path.join(tmp, 'model');
  if (!existsSync(path.join(modelDir, 'cxr.json'))) await makeWebModel(modelDir, sharedData);
  const { startServer } = await import(pathToFileURL(path.join(webRoot, 'scripts/serve.mjs')).href);
  server = await startServer({ dist, model: modelDir });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const nih = path.join(sharedData, 'nih-cxr14/images');
  const file = path.join(nih, readdirSync(nih).filter((f) => f.endsWith('.png')).sort()[0]);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (let r = 0; r < rounds; r++) {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'warning' || m.type() === 'error' ? console.log('  console:', m.text()) : undefined);
    const cdp = await page.context().newCDPSession(page);
    if (cpu) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    const t0 = performance.now();
    await page.goto(`${server.url}${query ? `?${query}` : ''}`);
    await page.waitForFunction(() => ['ready', 'error', 'done'].includes(document.body.dataset.state), null, { timeout: 120_000, polling: 'raf' });
    const ready = performance.now() - t0;
    let loadProfile;
    if (cpu) loadProfile = topSelf((await cdp.send('Profiler.stop')).profile);
    await page.waitForFunction(() => document.body.dataset.warm !== 'running', null, { timeout: 120_000 });
    if (cpu) await cdp.send('Profiler.start');
    const t1 = performance.now();
    await page.locator('#image-input').setInputFiles(file);
    await page.waitForFunction(() => document.body.dataset.state === 'error' || (!document.getElementById('result').hidden && document.querySelectorAll('#probabilities [data-class]').length > 0), null, { timeout: 120_000, polling: 'raf' });
    const t2 = performance.now();
    await page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset.state), null, { timeout: 120_000, polling: 'raf' });
    const t3 = performance.now();
    let fileProfile;
    if (cpu) fileProfile = topSelf((await cdp.send('Profiler.stop')).profile);
    const info = await page.evaluate(() => ({
      marks: performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]),
      nav: (() => { const n = performance.getEntriesByType('navigation')[0]; return { responseEnd: Math.round(n.responseEnd), domInteractive: Math.round(n.domInteractive) }; })(),
      resources: performance.getEntriesByType('resource').map((e) => [e.name.replace(location.origin, ''), Math.round(e.startTime), Math.round(e.responseEnd), e.transferSize]),
      data: { ...document.body.dataset },
      error: document.getElementById('error')?.textContent,
      backend: document.querySelector('#model-info [data-fact="backend"]')?.textContent,
    }));
    console.log(`round ${r}: ready ${ready.toFixed(0)} ms, file -> probabilities ${(t2 - t1).toFixed(0)} ms, -> Grad-CAM ${(t3 - t2).toFixed(0)} ms; backend ${info.backend}; warm ${info.data.warmMs}; state ${info.data.state} ${info.error ?? ''}`);
    console.log('  marks', JSON.stringify(info.marks), 'nav', JSON.stringify(info.nav));
    for (const res of info.resources) console.log('  res', JSON.stringify(res));
    if (cpu) {
      console.log(`  load CPU profile (main thread, ${loadProfile.totalMs} ms sampled):\n    ${loadProfile.top.join('\n    ')}`);
      console.log(`  load inclusive:\n    ${loadProfile.inclusive.join('\n    ')}`);
      console.log(`  file inclusive:\n    ${fileProfile.inclusive.join('\n    ')}`);
      console.log(`  file CPU profile (${fileProfile.totalMs} ms sampled):\n    ${fileProfile.top.join('\n    ')}`);
    }
    await page.close();
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  await browser?.close();
  await server?.close();
  await rm(tmp, { recursive: true, force: true });
}
