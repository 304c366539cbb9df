/**
 * @jest-environment ../../packages/model/src/onnx/__fixtures__/nodeRealmEnvironment.cjs
 */
// onnxruntime extracts the features (the realm environment lets it run under Jest); the head and block train on tfjs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadBackbone, loadModel, planFineTune, predictFiles } from '@cxr/model/node';
import { runCli, sharedDataDir } from '../__fixtures__/cliHarness';
import { useDemoModel } from '../__fixtures__/useDemoModel';

const MOBILENET = path.join(sharedDataDir, 'weights/mobilenet_v1_1.0_224_conv_pw_12');

describe('cxr train --fine-tune-blocks', () => {
  const fx = useDemoModel('train-ft', 13);

  it('trains MobileNet v1 conv_pw_12 with the head, records it in cxr.json and predicts with the trained block', async () => {
    const { tmp, demo } = fx;
    const common = ['train', '--data', demo.dataset, '--backbone', 'mobilenet_v1', '--weights', MOBILENET, '--epochs', '2', '--seed', '3', '--allow-confounded', '--cache-dir', 'cache', '--json'];
    const tuned = await runCli(tmp, [...common, '--out', 'ft', '--fine-tune-blocks', '1']);
    expect(tuned.code).toBe(0); // progress goes to stderr
    const config = JSON.parse(await readFile(path.join(tmp, 'ft', 'cxr.json'), 'utf8'));
    expect(config.fineTune).toMatchObject({ blocks: 1, backboneCut: 'conv_dw_12_relu', replaces: 'conv_pw_12_relu', batchNorm: 'folded', learningRate: 1e-4 });
    expect(config.fineTune.layers).toEqual([{ headLayer: 'finetune_conv_pw_12', backboneLayers: ['conv_pw_12', 'conv_pw_12_bn', 'conv_pw_12_relu'], units: 1024, activation: 'relu6' }]);
    expect(config.backbone.outputShape).toEqual([7, 7, 512]);
    expect(config.backbone.info.cutLayer).toBe('conv_dw_12_relu');
    expect(config.trainingMetrics.fineTuneBlocks).toBe(1);
    // the input check describes the frozen features (below the block): 512 channels
    expect(config.inputDistribution.dims).toBe(512);

    const cxr = await loadModel(path.join(tmp, 'ft'));
    // the block trained: its weights left their ImageNet start (batch norm folded in, as planFineTune makes it)
    const imagenet = planFineTune(await loadBackbone({ name: 'mobilenet_v1', weights: MOBILENET }), { blocks: 1 });
    const kernel = cxr.model.getLayer('finetune_conv_pw_12').getWeights()[0].dataSync();
    let moved = 0;
    for (let i = 0; i < kernel.length; i++) moved = Math.max(moved, Math.abs(kernel[i] - imagenet.layers[0].kernel[i]));
    expect(moved).toBeGreaterThan(1e-5);
    const predictions = await predictFiles(cxr, [path.join(sharedDataDir, 'nih-cxr14/images/00001281_000.png')]);
    expect(predictions).toHaveLength(1);
    for (const p of predictions) {
      expect(p.inputCheck).not.toBeNull();
      expect(Math.abs(p.probabilities.covid + p.probabilities.normal - 1)).toBeLessThan(1e-5);
    }
    cxr.model.dispose();

    // the same weights, the same cache, uncut at conv_pw_12_relu: cached features of the cut backbone must not be read
    const frozen = await runCli(tmp, [...common, '--out', 'frozen']);
    expect(frozen.code).toBe(0);
    const frozenConfig = JSON.parse(await readFile(path.join(tmp, 'frozen', 'cxr.json'), 'utf8'));
    expect(frozenConfig.fineTune).toBeUndefined();
    expect(frozenConfig.backbone.outputShape).toEqual([7, 7, 1024]);
  }, 240_000);

  it('refuses a block it cannot train, saying why (exit 1)', async () => {
    const { tmp, demo } = fx;
    const r = await runCli(tmp, ['train', '--data', demo.dataset, '--random-weights', '--out', 'vgg-ft', '--fine-tune-blocks', '1', '--allow-confounded']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot fine-tune 1 block: block 1 from the top ends at block\d_pool and is a MaxPooling2D layer/);
    const two = await runCli(tmp, ['train', '--data', demo.dataset, '--backbone', 'mobilenet_v1', '--weights', MOBILENET, '--out', 'mn-ft2', '--fine-tune-blocks', '2', '--allow-confounded']);
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/depthwise 3x3 convolution, whose weight gradient needs DepthwiseConv2dNativeBackpropFilter/);
  }, 120_000);
});
