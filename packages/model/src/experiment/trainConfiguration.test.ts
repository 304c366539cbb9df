import { PipelineOptionsError } from '../errors';
import { NO_TRAIN_OPTIONS, parseTrainConfiguration, TRAIN_CONFIGURATION_FLAGS } from './trainConfiguration';

describe('parseTrainConfiguration', () => {
  it('reads none as the notebook recipe and each cxr train flag, with the fixed default strengths', () => {
    expect(parseTrainConfiguration(' none ')).toEqual({ name: 'none', clahe: false, lungCrop: false, spectralDecoupling: 0, sourceBalanced: false, sourceAdversarial: 0, fineTuneBlocks: 0 });
    expect(parseTrainConfiguration('clahe')).toEqual({ ...NO_TRAIN_OPTIONS, name: 'clahe', clahe: true });
    expect(parseTrainConfiguration('spectral-decoupling').spectralDecoupling).toBe(0.1);
    expect(parseTrainConfiguration('source-adversarial').sourceAdversarial).toBe(1);
    expect(parseTrainConfiguration('clahe+spectral-decoupling=0.3+source-adversarial=0.5+source-balanced')).toEqual({
      name: 'clahe+spectral-decoupling=0.3+source-adversarial=0.5+source-balanced',
      clahe: true,
      lungCrop: false,
      spectralDecoupling: 0.3,
      sourceBalanced: true,
      sourceAdversarial: 0.5,
      fineTuneBlocks: 0,
    });
    expect(parseTrainConfiguration('fine-tune-blocks').fineTuneBlocks).toBe(1);
    expect(parseTrainConfiguration('clahe+fine-tune-blocks=2')).toEqual({ ...NO_TRAIN_OPTIONS, name: 'clahe+fine-tune-blocks=2', clahe: true, fineTuneBlocks: 2 });
    expect(parseTrainConfiguration('lung-crop+clahe')).toEqual({ ...NO_TRAIN_OPTIONS, name: 'lung-crop+clahe', clahe: true, lungCrop: true });
    expect(TRAIN_CONFIGURATION_FLAGS).toEqual(['clahe', 'lung-crop', 'spectral-decoupling', 'source-balanced', 'source-adversarial', 'fine-tune-blocks']);
  });

  it('refuses unknown flags, repeated flags and bad values, naming the text', () => {
    expect(() => parseTrainConfiguration('magic')).toThrow(PipelineOptionsError);
    expect(() => parseTrainConfiguration('clahe+magic')).toThrow(/configuration "clahe\+magic": unknown train option "magic" \(known: none, clahe, lung-crop, spectral-decoupling/);
    expect(() => parseTrainConfiguration('clahe+clahe')).toThrow(/clahe is given twice/);
    expect(() => parseTrainConfiguration('clahe=1')).toThrow(/clahe takes no value/);
    expect(() => parseTrainConfiguration('lung-crop=0.8')).toThrow(/lung-crop takes no value/);
    for (const bad of ['spectral-decoupling=', 'spectral-decoupling=-1', 'spectral-decoupling=0', 'spectral-decoupling=x', 'source-adversarial=1=2']) {
      expect(() => parseTrainConfiguration(bad)).toThrow(/needs a number > 0/);
    }
    expect(() => parseTrainConfiguration('none+clahe')).toThrow(/none stands alone/);
    expect(() => parseTrainConfiguration('fine-tune-blocks=1.5')).toThrow(/fine-tune-blocks needs a whole number/);
  });
});
