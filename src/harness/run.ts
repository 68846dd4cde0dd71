/**
 * Runs a task on a model: every sample, `epochs` times, through the solver and the scorers,
 * several samples at once (the transport bounds the calls per provider). Each sample's epoch
 * has its own seed, so a rerun samples the same answers and the cache can answer it. A rerun
 * given the previous log (`resume`) keeps its scored samples and runs only the rest — errored
 * ones included. The log is checkpointed as samples finish.
 */
import { createHash } from 'node:crypto';
import { type EvalLog, LOG_FORMAT, LOG_VERSION } from './log.js';
import { summarize } from './stats.js';
import { ModelCallError } from './transport.js';
import type {
  EvalModel,
  ModelRequest,
  SampleRecord,
  Scorer,
  SolverContext,
  Task,
  TaskState,
} from './types.js';

export interface RunOptions {
  epochs?: number;
  /** First N samples only. */
  limit?: number;
  temperature?: number;
  maxTokens?: number;
  seed?: number;
  /** Samples in flight at once (default 10). */
  parallel?: number;
  runId?: string;
  /** A previous log of the same task and model: its scored samples are kept. */
  resume?: EvalLog;
  grader?: EvalModel;
  onProgress?: (done: number, total: number) => void;
  /** Called with the log after every `checkpointEvery` samples and at the end. */
  onCheckpoint?: (log: EvalLog) => void;
  checkpointEvery?: number;
  /** What the log records of the transport (it does not change the run). */
  transport?: { cache: boolean; concurrency: number; retries: number; timeoutMs: number };
}

/** A 31-bit seed per (run seed, sample, epoch): the same sample and epoch sample the same answer on any rerun. */
export function sampleSeed(seed: number, id: string, epoch: number): number {
  return createHash('sha256').update(`${seed}\u0000${id}\u0000${epoch}`).digest().readUInt32BE(0) >>> 1;
}

export function newRunId(task: string, model: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const clean = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);
  return `${stamp}-${clean(task)}-${clean(model)}-${Math.random().toString(36).slice(2, 6)}`;
}

function primaryPassed(scorer: Scorer | undefined, record: SampleRecord): boolean | null {
  if (!scorer) return null;
  const v = record.scores[scorer.name]?.value;
  if (v === null || v === undefined) return null;
  // Binary: pass is 1 (or 0 when lower is better); graded: pass is the better half.
  const good = scorer.binary
    ? v === (scorer.higherIsBetter ? 1 : 0)
    : scorer.higherIsBetter
      ? v >= 0.5
      : v < 0.5;
  return good;
}

export async function runEval(task: Task, model: EvalModel, options: RunOptions = {}): Promise<EvalLog> {
  const epochs = options.epochs ?? 1;
  const seed = options.seed ?? 0;
  const temperature = options.temperature ?? task.config?.temperature ?? 0;
  const maxTokens = options.maxTokens ?? task.config?.maxTokens ?? 32;
  const samples = options.limit === undefined ? task.samples : task.samples.slice(0, options.limit);
  const started = Date.now();
  const kept = new Map<string, SampleRecord>();
  for (const s of options.resume?.samples ?? [])
    if (s.status === 'scored') kept.set(`${s.id}\u0000${s.epoch}`, s);
  const transport = options.transport ?? { cache: false, concurrency: 10, retries: 0, timeoutMs: 0 };
  const log: EvalLog = {
    format: LOG_FORMAT,
    version: LOG_VERSION,
    runId: options.resume?.runId ?? options.runId ?? newRunId(task.name, model.id),
    status: 'running',
    task: {
      name: task.name,
      description: task.description,
      params: task.params ?? {},
      scorers: task.scorers.map((s) => ({
        name: s.name,
        binary: s.binary,
        higherIsBetter: s.higherIsBetter,
      })),
    },
    model: { id: model.id, provider: model.provider, fingerprint: model.fingerprint },
    config: { epochs, limit: options.limit, temperature, maxTokens, seed, ...transport },
    startedAt: options.resume?.startedAt ?? new Date(started).toISOString(),
    samples: [],
  };
  const jobs: { sample: (typeof samples)[number]; epoch: number }[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) for (const sample of samples) jobs.push({ sample, epoch });
  const records: (SampleRecord | undefined)[] = jobs.map((j) => kept.get(`${j.sample.id}\u0000${j.epoch}`));
  let done = records.filter(Boolean).length;
  options.onProgress?.(done, jobs.length);
  const checkpointEvery = options.checkpointEvery ?? 25;
  let sinceCheckpoint = 0;

  const runOne = async (index: number): Promise<SampleRecord> => {
    const { sample, epoch } = jobs[index];
    const t0 = Date.now();
    const state: TaskState = {
      sample,
      epoch,
      messages:
        typeof sample.input === 'string'
          ? [{ role: 'user', content: sample.input }]
          : sample.input.map((m) => ({ ...m })),
      output: '',
      calls: [],
      store: {},
    };
    const defaults: SolverContext['defaults'] = {
      maxTokens,
      temperature,
      stop: task.config?.stop,
      seed: sampleSeed(seed, sample.id, epoch),
    };
    let failedAttempts = 0;
    const generate = async (s: TaskState, partial: Partial<ModelRequest>, which: EvalModel = model) => {
      const request: ModelRequest = { ...defaults, ...partial };
      if (request.prompt === undefined && request.messages === undefined) request.messages = s.messages;
      if (request.prompt !== undefined) delete request.messages;
      if (request.messages) request.messages = request.messages.map((m) => ({ ...m }));
      const c0 = Date.now();
      try {
        const response = await which.call(request);
        s.calls.push({ request, response, ms: Date.now() - c0 });
        return response.text;
      } catch (error) {
        if (error instanceof ModelCallError) failedAttempts += error.attempts;
        throw error;
      }
    };
    const base = {
      id: sample.id,
      epoch,
      input: sample.input,
      target: sample.target,
      metadata: sample.metadata,
    };
    const tally = () => ({
      calls: state.calls.length + (failedAttempts > 0 ? 1 : 0),
      attempts: state.calls.reduce((a, c) => a + c.response.attempts, 0) + failedAttempts,
      cachedCalls: state.calls.filter((c) => c.response.cached).length,
      tokens: state.calls.reduce((a, c) => a + (c.response.tokens ?? 0), 0),
      ms: Date.now() - t0,
    });
    try {
      const logprob = async (prompt: string, completion: string) =>
        model.logprob ? model.logprob(prompt, completion) : undefined;
      await task.solver(state, { generate, logprob, defaults });
      const scores: SampleRecord['scores'] = {};
      const scorerCtx = {
        grader: options.grader,
        generate: (s: TaskState, r: Partial<ModelRequest>, m?: EvalModel) =>
          generate(s, r, m ?? options.grader ?? model),
      };
      for (const scorer of task.scorers) scores[scorer.name] = await scorer.score(state, scorerCtx);
      const record: SampleRecord = {
        ...base,
        status: 'scored',
        output: state.output,
        messages: state.messages,
        scores,
        passed: null,
        store: state.store,
        ...tally(),
      };
      record.passed = primaryPassed(task.scorers[0], record);
      return record;
    } catch (error) {
      return {
        ...base,
        status: 'error',
        output: state.output,
        messages: state.messages,
        scores: {},
        passed: null,
        store: state.store,
        error: error instanceof Error ? error.message : String(error),
        ...tally(),
      };
    }
  };

  const snapshot = (): EvalLog => {
    const finished = records.filter((r): r is SampleRecord => r !== undefined);
    return { ...log, samples: finished };
  };
  let next = 0;
  const worker = async () => {
    for (;;) {
      while (next < jobs.length && records[next] !== undefined) next++;
      if (next >= jobs.length) return;
      const index = next++;
      records[index] = await runOne(index);
      done++;
      options.onProgress?.(done, jobs.length);
      if (++sinceCheckpoint >= checkpointEvery) {
        sinceCheckpoint = 0;
        options.onCheckpoint?.(snapshot());
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 10) }, worker));

  const finished = records as SampleRecord[];
  const metrics = task.metrics ? task.metrics(finished) : {};
  const out: EvalLog = {
    ...log,
    status: 'done',
    samples: finished,
    finishedAt: new Date().toISOString(),
    seconds: (Date.now() - started) / 1000,
    summary: summarize(finished, task.scorers, metrics, seed, task.gates),
  };
  options.onCheckpoint?.(out);
  return out;
}
