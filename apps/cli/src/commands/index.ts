import type { CommandModule } from '../command';
import { command as metricsCommand } from './metrics';
import { command as datasetCommand } from './dataset';
import { command as dicomCommand } from './dicom';

/**
 * Every `cxr` sub-command, in the order `cxr --help` lists them.
 * Each module lives in its own file and exports `command: CommandModule`.
 */
export const commands: CommandModule[] = [datasetCommand, dicomCommand, metricsCommand];
