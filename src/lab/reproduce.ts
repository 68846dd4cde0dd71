/**
 * Reproductions: each experiment's main arm and its control arms, run on the same seeds and
 * sweep, stored as one main batch plus one control batch per arm, then judged by
 * `assessClaim`. All arms of all requested experiments go to one pool at once, so no core
 * idles while one experiment's last seed finishes.
 */
import type { Piscina } from 'piscina';
import type { ControlArm, Experiment, SeedResult } from '../experiments/types.js';
import { deepMerge, type PlainObject } from './config.js';
import { type ArmRuns, assessClaim, type Evidence } from './evidence.js';
import type { ProgressReporter } from './progress.js';
import type { QueueTarget } from './queue.js';
import {
  executeJobs,
  type Job,
  type JobOutcome,
  planPoints,
  recordPlan,
  runExperimentInProcess,
  type SweepSpec,
} from './runner.js';
import type { LabStore } from './store.js';
import { seedResults } from './summary.js';

/** How to reproduce: quick mode, the seeds, and config layers over the defaults. */
export interface ReproduceSettings {
  quick?: boolean;
  seeds: readonly number[];
  /** Raw config layers merged over the defaults (and quick) for every arm, e.g. `--set`. */
  base?: PlainObject;
}

export interface ArmPlanned {
  /** null for the main arm. */
  control: ControlArm<unknown> | null;
  raw: PlainObject;
}

/** The sweep `reproduce` runs: the experiment's power dial (quick values under --quick). */
export function reproductionSweep(experiment: Experiment, quick?: boolean): SweepSpec | undefined {
  const power = experiment.power;
  return power ? { param: power.param, values: (quick && power.quick) || power.values } : undefined;
}

/** The main arm's raw config and each control's: the control's override merged over the main one. */
export function reproductionArms(
  experiment: Experiment,
  mainRaw: PlainObject,
  quick?: boolean,
): ArmPlanned[] {
  return [
    { control: null, raw: mainRaw },
    ...experiment.controls.map((control) => {
      let raw = deepMerge(mainRaw, control.override as PlainObject);
      if (quick && control.quick) raw = deepMerge(raw, control.quick as PlainObject);
      return { control, raw };
    }),
  ];
}

export interface ReproductionBatches {
  experiment: Experiment;
  mainBatch: number;
  arms: { control: ControlArm<unknown> | null; batch: number; jobs: Job[] }[];
}

/** Records every arm's runs (queued) for each experiment; nothing runs yet. */
export function recordReproductions(
  store: LabStore,
  plans: readonly { experiment: Experiment; mainRaw: PlainObject }[],
  settings: ReproduceSettings,
): ReproductionBatches[] {
  return plans.map(({ experiment, mainRaw }) => {
    const sweep = reproductionSweep(experiment, settings.quick);
    const command = `reproduce ${experiment.id}${settings.quick ? ' --quick' : ''}`;
    const arms: ReproductionBatches['arms'] = [];
    let mainBatch = 0;
    for (const arm of reproductionArms(experiment, mainRaw, settings.quick)) {
      const plan = { experiment, raw: arm.raw, seeds: settings.seeds, sweep, command };
      const { batch, jobs } = arm.control
        ? recordPlan({ ...plan, command: `${command} [control ${arm.control.name}]` }, store, {
            arm: arm.control.name,
            parent: mainBatch,
          })
        : recordPlan(plan, store);
      if (!arm.control) mainBatch = batch;
      arms.push({ control: arm.control, batch, jobs });
    }
    return { experiment, mainBatch, arms };
  });
}

export interface ExecuteReproductions {
  store: LabStore;
  workers: number;
  pool?: Piscina;
  reporter?: ProgressReporter;
  signal?: AbortSignal;
  queue?: QueueTarget;
}

/** Runs every recorded job of every arm in one go; returns the outcomes in job order. */
export async function executeReproductions(
  batches: readonly ReproductionBatches[],
  options: ExecuteReproductions,
): Promise<JobOutcome[]> {
  const jobs = batches.flatMap((b) => b.arms.flatMap((a) => a.jobs));
  return executeJobs(jobs, options);
}

function armRunsFromStore(store: LabStore, batch: number): ArmRuns {
  const records = store.listRuns({ batch });
  return { runs: seedResults(records), planned: records.length };
}

/** The evidence for a stored main batch and its control batches. */
export function evidenceFromStore(store: LabStore, experiment: Experiment, mainBatch: number): Evidence {
  const controls = store.controlBatches(mainBatch).map(({ batch, arm }) => ({
    arm: experiment.controls.find((c) => c.name === arm) ?? {
      name: arm,
      why: '(no longer declared)',
      override: {},
    },
    runs: armRunsFromStore(store, batch),
  }));
  return assessClaim(experiment, armRunsFromStore(store, mainBatch), controls);
}

/** The main arm's raw config (quick and `base` merged over the defaults). */
function mainRawOf(experiment: Experiment, settings: ReproduceSettings): PlainObject {
  let raw: PlainObject = {};
  if (settings.quick) raw = deepMerge(raw, experiment.quick as PlainObject);
  if (settings.base) raw = deepMerge(raw, settings.base);
  return raw;
}

/**
 * One arm's runs (the main arm, or the control named `control`) on every seed and sweep point,
 * in this thread, without a store: for tests and scripts.
 */
export async function armRunsInProcess(
  experiment: Experiment,
  settings: ReproduceSettings,
  control?: string,
): Promise<ArmRuns> {
  const arms = reproductionArms(experiment, mainRawOf(experiment, settings), settings.quick);
  const arm = arms.find((a) => (a.control?.name ?? undefined) === control);
  if (!arm) throw new Error(`${experiment.id} has no control '${control}'`);
  const sweep = reproductionSweep(experiment, settings.quick);
  const points = planPoints({ experiment, raw: arm.raw, seeds: settings.seeds, sweep, command: '' });
  const runs: SeedResult<unknown>[] = [];
  for (const point of points) {
    const { result } = await runExperimentInProcess(experiment, point.config, point.seed);
    runs.push({ seed: point.seed, power: point.power, config: point.config, result });
  }
  return { runs, planned: points.length };
}

/** Every arm on every seed in this thread, without a store, judged as `reproduce` judges. */
export async function reproduceInProcess(
  experiment: Experiment,
  settings: ReproduceSettings,
): Promise<Evidence> {
  const main = await armRunsInProcess(experiment, settings);
  const controls = [];
  for (const arm of experiment.controls) {
    controls.push({ arm, runs: await armRunsInProcess(experiment, settings, arm.name) });
  }
  return assessClaim(experiment, main, controls);
}
