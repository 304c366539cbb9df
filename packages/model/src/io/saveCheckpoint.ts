import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { CheckpointError } from '../errors';
import type { TrainingCheckpoint } from '../train/trainHead';

const F32 = '$float32';

/**
 * Writes a training checkpoint (from an aborted `trainHead`) to one JSON file, atomically (write-file-atomic: temp
 * file, fsync, rename), creating its folder. Weight arrays are stored as base64 float32, exactly.
 */
export async function saveCheckpoint(file: string, checkpoint: TrainingCheckpoint): Promise<void> {
  // A Float32Array made in another realm (tfjs under a vm context, e.g. jest) is not `instanceof` this realm's class.
  const isFloat32 = (v: unknown): v is Float32Array => ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === '[object Float32Array]';
  const text = JSON.stringify(checkpoint, (_key, value) =>
    isFloat32(value) ? { [F32]: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') } : value,
  );
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
    await writeFileAtomic(file, text);
  } catch (cause) {
    throw new CheckpointError(`Cannot write checkpoint ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Reads a checkpoint written by {@link saveCheckpoint}; `CheckpointError` names the file on failure. */
export async function loadCheckpoint(file: string): Promise<TrainingCheckpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new CheckpointError(`Cannot read checkpoint ${file}`, { cause });
  }
  let value: TrainingCheckpoint;
  try {
    value = JSON.parse(text, (_key, v) => {
      if (v && typeof v === 'object' && typeof v[F32] === 'string') {
        const bytes = Buffer.from(v[F32], 'base64');
        return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      }
      return v;
    });
  } catch (cause) {
    throw new CheckpointError(`Checkpoint ${file} is not valid JSON`, { cause });
  }
  if (value?.version !== 1 || !Array.isArray(value.weights) || !value.options) {
    throw new CheckpointError(`Checkpoint ${file} is not a cxr training checkpoint (version ${JSON.stringify(value?.version)})`);
  }
  return value;
}
