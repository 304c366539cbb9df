import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describeWithData, SHARED_DATA } from '../__fixtures__/sharedData';
import { useCpu } from '../__fixtures__/tinyBackbone';
import { tinyCxrModel } from '../__fixtures__/tinyCxrModel';
import { predict } from './predict';
import { predictFiles } from './predictFiles';

const DATA = SHARED_DATA;
const FILES = [
  path.join(DATA, 'nih-cxr14/images/00001281_000.png'),
  path.join(DATA, 'nih-cxr14/images/00001299_000.png'),
];

beforeAll(useCpu);

describeWithData(FILES)('predictFiles (real NIH images from the shared data)', () => {
  it("preprocesses with the model's saved spec and classifies", async () => {
    const cxr = tinyCxrModel({ normalization: 'unit' });
    const got = await predictFiles(cxr, FILES, { batchSize: 1 });
    expect(got.map((p) => p.path)).toEqual(FILES);
    // independent reference: sharp grey, 32x32 stretch, / 255, replicated to 3 channels
    const inputs = await Promise.all(
      FILES.map(async (f) => {
        const grey = await sharp(f).greyscale().resize(32, 32, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
        return Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => grey[Math.floor(i / 3)] / 255);
      }),
    );
    const ref = await predict(cxr, inputs);
    got.forEach((p, i) => expect(Math.abs(p.probabilities.covid - ref[i].probabilities.covid)).toBeLessThan(0.02));
    // another saved spec (MobileNet's [-1, 1]) changes the inputs, hence the output: the spec is honoured
    const other = await predictFiles({ ...cxr, config: { ...cxr.config, preprocessing: { ...cxr.config.preprocessing, normalization: 'mobilenet' } } }, FILES);
    expect(Math.abs(other[0].probabilities.covid - got[0].probabilities.covid)).toBeGreaterThan(1e-4);
  });

  it('refuses an image whose size cannot be a chest radiograph instead of classifying it', async () => {
    const strip = path.join(tmpdir(), `cxr-strip-${process.pid}.png`);
    await sharp({ create: { width: 2000, height: 40, channels: 3, background: '#777' } }).png().toFile(strip);
    try {
      await expect(predictFiles(tinyCxrModel(), [FILES[0], strip])).rejects.toThrow(
        `Image ${strip} is 2000x40, not a plausible chest radiograph: its shorter side is 40 px, under the minimum of 64 px`,
      );
    } finally {
      rmSync(strip, { force: true });
    }
  });

  it('names a file it cannot read', async () => {
    const missing = path.join(DATA, 'nih-cxr14/images/does-not-exist.png');
    await expect(predictFiles(tinyCxrModel(), [missing])).rejects.toThrow(missing);
  });
});
