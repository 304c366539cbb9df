import type { CommandModule } from '../command';
import { command as metricsCommand } from './metrics';
import { command as datasetCommand } from './dataset';
import { command as dicomCommand } from './dicom';
import { command as trainCommand } from './train';
import { command as evaluateCommand } from './evaluate';
import { command as predictCommand } from './predict';
import { command as weightsCommand } from './weights';
import { command as demoCommand } from './demo';
import { command as experimentCommand } from './experiment';
import { command as featuresCommand } from './features';

/**
 * Every `cxr` sub-command, in the order `cxr --help` lists them.
 * Each module lives in its own file and exports `command: CommandModule`.
 */
export const commands: CommandModule[] = [
  demoCommand,
  datasetCommand,
  dicomCommand,
  featuresCommand,
  trainCommand,
  evaluateCommand,
  predictCommand,
  weightsCommand,
  metricsCommand,
  experimentCommand,
];
