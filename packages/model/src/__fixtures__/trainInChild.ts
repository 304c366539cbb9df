/*
 * Run by trainHead.kill.test.ts as a child process (node --require tsx/cjs): trains the tiny head with a checkpoint
 * written atomically at each epoch end, printing "checkpoint <epoch>" after each, so the parent can SIGKILL it mid-run.
 * Usage: trainInChild.ts <checkpoint file> <pause ms after each checkpoint>
 */
import { saveCheckpoint } from '../io/saveCheckpoint';
import { trainHead } from '../train/trainHead';
import { killTestData, KILL_TEST_OPTIONS } from './killTestData';

async function main(): Promise<void> {
  const [file, pause] = process.argv.slice(2);
  const { features, labels, validation } = await killTestData();
  await trainHead(features, labels, {
    ...KILL_TEST_OPTIONS,
    validation,
    onEpochCheckpoint: async (checkpoint) => {
      await saveCheckpoint(file, checkpoint);
      process.stdout.write(`checkpoint ${checkpoint.epoch}\n`);
      await new Promise((resolve) => setTimeout(resolve, Number(pause)));
    },
  });
  process.stdout.write('finished\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
