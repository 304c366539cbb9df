import { createHash } from 'node:crypto';
import { DatasetConfigError } from '../errors';

/** One part of a job split across processes or machines: `index` (from 0) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/** Environment variables {@link shardFromEnv} reads (Kubernetes Indexed Jobs, Slurm job arrays, or set by hand). */
export const SHARD_ENV = {
  /** Kubernetes Indexed Job: the pod's index, 0 .. completions - 1 (set by Kubernetes). */
  kubernetesIndex: 'JOB_COMPLETION_INDEX',
  /**
   * The shard count, for Kubernetes: the Job's `completions` is not exposed to the pod, so the manifest sets it
   * (see docs/scaling.md). Also read with `SLURM_ARRAY_TASK_ID` when set, and wins over the Slurm count.
   */
  count: 'CXR_SHARD_COUNT',
  slurmId: 'SLURM_ARRAY_TASK_ID',
  slurmCount: 'SLURM_ARRAY_TASK_COUNT',
  slurmMin: 'SLURM_ARRAY_TASK_MIN',
  slurmMax: 'SLURM_ARRAY_TASK_MAX',
  slurmStep: 'SLURM_ARRAY_TASK_STEP',
} as const;

/** Throws {@link DatasetConfigError} unless `shard` is a valid index/count pair. */
export function checkShard(shard: Shard, from = 'shard'): Shard {
  return validShard(shard.index, shard.count, from);
}

function validShard(index: number, count: number, from: string): Shard {
  if (!Number.isInteger(count) || count < 1) throw new DatasetConfigError(`Bad shard count in ${from}: ${count} (expected an integer >= 1)`);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new DatasetConfigError(`Bad shard index in ${from}: ${index} (expected an integer from 0 to ${count - 1})`);
  }
  return { index, count };
}

const intOf = (text: string | undefined): number => (text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : NaN);

/**
 * The shard of this process from its environment: Kubernetes Indexed Jobs (`JOB_COMPLETION_INDEX`, count from
 * `CXR_SHARD_COUNT`, which the Job manifest sets to its `completions`) or Slurm job arrays (`SLURM_ARRAY_TASK_ID` -
 * `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`; the array must be a contiguous range, step 1).
 *
 * @throws {DatasetConfigError} when neither is set, or the values are inconsistent
 * @example shardFromEnv({ JOB_COMPLETION_INDEX: '2', CXR_SHARD_COUNT: '8' }) // { index: 2, count: 8 }
 */
export function shardFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): Shard {
  const e = SHARD_ENV;
  if (env[e.kubernetesIndex] !== undefined) {
    if (env[e.count] === undefined) {
      throw new DatasetConfigError(`${e.kubernetesIndex} is set but ${e.count} is not: set it to the Job's completions in the manifest`);
    }
    return validShard(intOf(env[e.kubernetesIndex]), intOf(env[e.count]), `${e.kubernetesIndex}/${e.count}`);
  }
  if (env[e.slurmId] !== undefined) {
    const id = intOf(env[e.slurmId]);
    const min = env[e.slurmMin] === undefined ? 0 : intOf(env[e.slurmMin]);
    const step = env[e.slurmStep] === undefined ? 1 : intOf(env[e.slurmStep]);
    if (step !== 1) throw new DatasetConfigError(`${e.slurmStep} is ${env[e.slurmStep]}: use a contiguous array (--array=0-N, step 1)`);
    const count = env[e.count] !== undefined ? intOf(env[e.count]) : intOf(env[e.slurmCount]);
    if (env[e.count] === undefined && env[e.slurmMax] !== undefined && intOf(env[e.slurmMax]) - min + 1 !== count) {
      throw new DatasetConfigError(`Slurm array ${min}-${env[e.slurmMax]} is not ${count} contiguous tasks: use --array=${min}-${min + count - 1}`);
    }
    return validShard(id - min, count, `${e.slurmId}/${e.slurmCount}`);
  }
  throw new DatasetConfigError(
    `--shard auto: neither ${e.kubernetesIndex} (Kubernetes Indexed Job) nor ${e.slurmId} (Slurm job array) is set; use --shard <index>/<count>`,
  );
}

/**
 * Parses `--shard`: `<index>/<count>` with the index from 0 (`0/4` .. `3/4`), or `auto` ({@link shardFromEnv}).
 *
 * @throws {DatasetConfigError} for anything else
 * @example parseShard('1/3') // { index: 1, count: 3 }
 */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>> = process.env): Shard {
  if (text.trim() === 'auto') return shardFromEnv(env);
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new DatasetConfigError(`Bad --shard "${text}": expected <index>/<count> with the index from 0 (e.g. 0/4), or auto`);
  return validShard(Number(m[1]), Number(m[2]), `--shard ${text}`);
}

/**
 * The shard (0 .. count - 1) that owns a patient: the first 4 bytes of SHA-256(`source` NUL `patientId`) modulo
 * `count`. Deterministic across machines and runs, and a patient's images always land in the same shard.
 */
export function shardOfPatient(source: string, patientId: string, count: number): number {
  return createHash('sha256').update(`${source}\0${patientId}`).digest().readUInt32BE(0) % count;
}

/**
 * The records of one shard (by patient, as `buildDataset({ shard })` converts them): e.g. the manifest rows whose
 * features this process extracts.
 *
 * @example const mine = shardRecords(await readManifest('out/manifest.csv'), parseShard('auto'));
 */
export function shardRecords<T extends { source: string; patientId: string }>(records: readonly T[], shard: Shard): T[] {
  checkShard(shard);
  return records.filter((r) => shardOfPatient(r.source, r.patientId, shard.count) === shard.index);
}
