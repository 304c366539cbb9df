#!/usr/bin/env node
// Sums the closing "Tests:" lines of every jest run in a log and prints one plain closing line,
// "tests: N passed, N failed, N skipped", so a reader of CI output need not add them up.
// Usage: node .ci/testSummary.mjs <log-file>
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node .ci/testSummary.mjs <log-file>\n');
  process.exit(2);
}
// eslint-disable-next-line no-control-regex
const text = readFileSync(file, 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
const totals = { passed: 0, failed: 0, skipped: 0 };
let runs = 0;
for (const line of text.split('\n')) {
  const match = /^Tests:\s+(.*)$/.exec(line.trim());
  if (!match) continue;
  runs += 1;
  for (const part of match[1].split(',')) {
    const count = /(\d+)\s+(passed|failed|skipped|todo)/.exec(part);
    if (!count) continue;
    const key = count[2] === 'todo' ? 'skipped' : count[2];
    totals[key] += Number(count[1]);
  }
}
process.stdout.write(`jest runs: ${runs}\n`);
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
process.exit(runs > 0 && totals.failed === 0 ? 0 : 1);
