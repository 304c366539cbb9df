/**
 * @jest-environment ../../packages/model/src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
// The onnx engine needs onnxruntime, which under Jest runs only in the node-realm environment.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { readManifest, shardOfPatient } from '@cxr/dataset/node';
import { runCli, sharedDataDir } from '../__fixtures__/cliHarness';
import { useDemoModel } from '../__fixtures__/useDemoModel';

const weights = path.join(sharedDataDir, 'weights', 'mobilenet_v1_1.0_224_conv_pw_12');

/** Every cached feature file under `dir` (relative path -> bytes). */
async function cacheFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith('.f32')).sort();
  return new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f))] as const)));
}

describe('cxr features extract', () => {
  const fx = useDemoModel('features', 5);
  const args = (cache: string): string[] => ['features', 'extract', '--data', fx.demo.dataset, '--backbone', 'mobilenet_v1', '--weights', weights, '--engine', 'onnx', '--cache-dir', cache];

  it('three shards fill the same cache as one call, each with its patients only, and a rerun extracts nothing', async () => {
    const manifest = await readManifest(path.join(fx.demo.dataset, 'manifest.csv'));
    const counts: number[] = [];
    for (const i of [0, 1, 2]) {
      const r = await runCli(fx.tmp, [...args('sharded'), '--shard', `${i}/3`, '--json']);
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout);
      // The patients' rule of cxr dataset build --shard, counted here from the manifest.
      const expected = manifest.filter((m) => shardOfPatient(m.source, m.patientId, 3) === i).length;
      expect(out).toMatchObject({ images: manifest.length, shardImages: expected, extracted: expected, cached: 0, shard: { index: i, count: 3 }, precision: 'fp32' });
      counts.push(expected);
    }
    expect(counts.reduce((a, b) => a + b, 0)).toBe(manifest.length);
    expect(Math.min(...counts)).toBeGreaterThan(0);

    const one = await runCli(fx.tmp, args('single'));
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(new RegExp(`^${manifest.length} images; ${manifest.length} extracted, 0 already cached \\(fp32, `));
    const sharded = await cacheFiles(path.join(fx.tmp, 'sharded'));
    const single = await cacheFiles(path.join(fx.tmp, 'single'));
    expect(sharded.size).toBe(manifest.length);
    expect([...sharded.keys()]).toEqual([...single.keys()]);
    for (const [name, bytes] of single) expect(sharded.get(name)?.equals(bytes)).toBe(true);

    const again = await runCli(fx.tmp, [...args('sharded'), '--shard', '1/3']);
    expect(again.stdout).toContain(`shard 1/3: ${counts[1]} of ${manifest.length} images; 0 extracted, ${counts[1]} already cached`);
  }, 240_000);

  it('--fine-tune-blocks 1 extracts where cxr train --fine-tune-blocks 1 reads (below conv_pw_12), and refuses what it refuses', async () => {
    const manifest = await readManifest(path.join(fx.demo.dataset, 'manifest.csv'));
    const expected = manifest.filter((m) => shardOfPatient(m.source, m.patientId, 3) === 0).length;
    const r = await runCli(fx.tmp, [...args('ft'), '--fine-tune-blocks', '1', '--shard', '0/3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^shard 0/3: ${expected} of ${manifest.length} images; ${expected} extracted, 0 already cached \\(fp32, mobilenet_v1, .*, cut at conv_dw_12_relu\\) in `));
    const two = await runCli(fx.tmp, [...args('ft2'), '--fine-tune-blocks', '2']);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/cannot fine-tune 2 blocks: block 2 from the top ends at conv_dw_12_relu and is a depthwise 3x3 convolution/);
    const zero = await runCli(fx.tmp, [...args('ft0'), '--fine-tune-blocks', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--fine-tune-blocks.*positive integer/);
  }, 120_000);

  it('refuses a shard outside its count (usage, exit 2)', async () => {
    const r = await runCli(fx.tmp, [...args('bad'), '--shard', '3/3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shard index/);
  });
});
