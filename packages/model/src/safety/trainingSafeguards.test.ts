import * as tf from '@tensorflow/tfjs-core';
import { applyTemperature } from '@cxr/metrics';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { createHead } from '../head/createHead';
import { createRng } from '@cxr/metrics';
import { createDataDesignRecord, headProbabilities, trainingSafeguards } from './trainingSafeguards';

beforeAll(useCpu);

describe('trainingSafeguards', () => {
  it('fits a temperature on the validation split, describes the pooled training features, leaves no tensors', () => {
    const rng = createRng(5);
    const shape: [number, number, number] = [4, 4, 3];
    const maps = (n: number) => Array.from({ length: n }, () => Float32Array.from({ length: 48 }, () => rng.next() * 4));
    const head = createHead({ inputShape: shape, poolSize: 4, units: 4, seed: 3 });
    const train = { features: maps(12), groups: Array.from({ length: 12 }, (_, i) => `p${i >> 1}`) };
    const validation = { features: maps(8), labels: ['covid', 'normal', 'covid', 'normal', 'covid', 'normal', 'normal', 'normal'] };
    const before = tf.memory().numTensors;
    const s = trainingSafeguards({ head, featureShape: shape, train, validation, classes: ['covid', 'normal'] });
    expect(tf.memory().numTensors).toBe(before);
    expect(s.inputDistribution).toMatchObject({ dims: 3, count: 12, k: 5, heldOut: 'leave-one-patient-out' });
    expect(s.calibration).toMatchObject({ method: 'temperature-scaling', fittedOn: 'validation split (8 images)' });
    expect(s.calibration!.nllAfter).toBeLessThanOrEqual(s.calibration!.nllBefore + 1e-12);
    const raw = headProbabilities(head, validation.features, shape);
    s.validationRows.forEach((r, i) => expect(r[0]).toBeCloseTo(applyTemperature(raw[i], s.calibration!.temperature)[0], 10));
    const off = trainingSafeguards({ head, featureShape: shape, train, validation, classes: ['covid', 'normal'], calibrate: false });
    expect(off.calibration).toBeNull();
    expect(off.validationRows[0][0]).toBeCloseTo(raw[0][0], 10);
    head.dispose();
  });
});

describe('createDataDesignRecord', () => {
  it('turns the audit and probes into the cxr.json record with one warning', () => {
    const audit = { confounded: true, threshold: 0.8, findings: ['normal: 90% (99 of 110) from nih-cxr14, which has no other class'], perClass: [{ label: 'normal', n: 110, bySource: { a: 11, 'nih-cxr14': 99 }, exclusiveShare: 0.9, confounded: true }] };
    const probe = { alarm: true, threshold: 0.8, notProbed: [], probes: [{ label: 'normal', positiveSource: 'a', negativeSource: 'nih-cxr14', auc: 0.97, ci: { lower: 0.9, upper: 1 }, nPositive: 11, nNegative: 99, alarm: true }] };
    const r = createDataDesignRecord(audit, probe, true);
    expect(r).toMatchObject({ confounded: true, allowedConfounded: true, sourceProbe: { alarm: true } });
    expect(r.warning).toBe(
      'WARNING: confounded training data (normal: 90% (99 of 110) from nih-cxr14, which has no other class); and the features tell sources apart within a class (normal: a vs nih-cxr14 AUC 0.97). This model may have learnt where images come from, not the disease; its results do not carry over to other sources.',
    );
    expect(createDataDesignRecord({ ...audit, confounded: false, findings: [] }, null, false).warning).toBeNull();
  });
});
