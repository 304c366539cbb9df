import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEMO_PRESETS, runDemo, type DemoResult, type TrainFromDatasetOptions } from '@cxr/model/node';

/** What {@link useDemoModel} fills in before the suite's tests run. */
export interface DemoFixture {
  /** A fresh temporary folder (removed after the suite), the working directory of the tests. */
  tmp: string;
  /** `cxr demo --size small --random-weights` run in `tmp/demo`. */
  demo: DemoResult;
}

/**
 * Registers `beforeAll`/`afterAll` that run the small demo (random base, `seed`) in a temporary folder, for suites
 * that need a trained model and a built dataset; read the fields inside tests, not at describe time.
 */
export function useDemoModel(name: string, seed: number): DemoFixture {
  const fixture = {} as DemoFixture;
  beforeAll(async () => {
    fixture.tmp = await mkdtemp(path.join(os.tmpdir(), `cxr-${name}-`));
    fixture.demo = await runDemo({ out: path.join(fixture.tmp, 'demo'), size: 'small', randomWeights: true, seed, cwd: fixture.tmp });
  }, 240_000);
  afterAll(async () => {
    if (fixture.tmp) await rm(fixture.tmp, { recursive: true, force: true });
  });
  return fixture;
}

/**
 * `cxr train` options on the fixture's demo dataset with the demo's small random base, 4 epochs and `seed`
 * (`out` to be set by each test; the demo data is confounded on purpose, as the public collections are).
 */
export function demoTrainOptions(fixture: DemoFixture, seed: number, extra: Partial<TrainFromDatasetOptions> = {}): TrainFromDatasetOptions {
  return {
    data: fixture.demo.dataset,
    out: '',
    randomWeights: true,
    randomSize: DEMO_PRESETS.small.random.base,
    learningRate: DEMO_PRESETS.small.random.learningRate,
    epochs: 4,
    seed,
    cwd: fixture.tmp,
    // the demo data copies the public collections' layout: normals mostly from sources without covid
    allowConfounded: true,
    ...extra,
  };
}
