import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { killTestData, KILL_TEST_OPTIONS } from '../__fixtures__/killTestData';
import { loadCheckpoint } from '../io/saveCheckpoint';
import { resumeTrainHead, trainHead } from './trainHead';

const FIXTURE = path.resolve('src/__fixtures__/trainInChild.ts');
const TSX = createRequire(path.resolve('package.json')).resolve('tsx/cjs');

/** Starts the child and SIGKILLs it as soon as it reports the checkpoint of `killAfter` epochs. */
function trainAndKill(file: string, killAfter: number): Promise<{ signal: NodeJS.Signals | null; seen: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@cxr/source', '--require', TSX, FIXTURE, file, '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(`checkpoint ${killAfter}\n`)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal ? resolve({ signal, seen }) : reject(new Error(`child exited ${code} before the kill: ${seen}${stderr}`))));
  });
}

const weightsOf = (model: { weights: { read(): tf.Tensor }[] }) => model.weights.map((w) => Array.from(w.read().dataSync()));

describe('trainHead: a checkpoint at each epoch end survives SIGKILL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cxr-kill-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('a child killed after epoch 3 of 6 resumes (in this process) to exactly the uninterrupted run', async () => {
    const file = path.join(dir, 'ckpt.json');
    const { signal, seen } = await trainAndKill(file, 3);
    expect(signal).toBe('SIGKILL');
    expect(seen).not.toContain('finished');
    const checkpoint = await loadCheckpoint(file);
    expect(checkpoint).toMatchObject({ epoch: 3, batch: 0, order: [] });
    expect(checkpoint.history.loss).toHaveLength(3);

    const { features, labels, validation } = await killTestData();
    try {
      const full = await trainHead(features, labels, { ...KILL_TEST_OPTIONS, validation });
      const resumed = await resumeTrainHead(checkpoint, features, labels, { validation });
      expect(resumed.epochsCompleted).toBe(6);
      expect(resumed.bestEpoch).toBe(full.bestEpoch);
      // Equal up to float32 rounding, as the abort-and-resume test in trainHead.test.ts: the restored optimizer
      // moments and the loss sums can differ in their last bit, not more.
      const a = weightsOf(resumed.head);
      const b = weightsOf(full.head);
      let maxDiff = 0;
      a.forEach((w, i) => w.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - b[i][j])))));
      expect(maxDiff).toBeLessThan(1e-7);
      expect(resumed.history.valLoss).toHaveLength(6);
      for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'learningRate'] as const) {
        resumed.history[key].forEach((v, i) => expect(v).toBeCloseTo(full.history[key][i], 7));
      }
      // An independent check that training happened at all: the resumed head is not the checkpoint's.
      expect(a.flat()).not.toEqual(checkpoint.weights.flatMap((w) => Array.from(w.data)));
      process.stdout.write(`kill/resume: max |weight difference| ${maxDiff}\n`);
      full.head.dispose();
      resumed.head.dispose();
    } finally {
      tf.dispose([features, validation.features]);
    }
  }, 120_000);
});
