/**
 * Update-step benchmark of the preference trainers: one DPO step (`dpoStep`, 32 pairs) and one
 * PPO optimization phase (`ppoUpdate`, 64 rollouts, its default epochs × minibatches) on the
 * default tiny model — the arithmetic LM's shape (width 64, 2 layers, 4 heads, char vocab).
 *
 * The rows are real arithmetic items, so the shapes are those the trainers see. The same rows
 * are written to a JSON file for the PyTorch peer (bench/peers/torch_align.py), so both sides
 * time the same update on the same tokens. Each measurement runs in a fresh process
 * (bench-worker.ts): tfjs holds one backend per process.
 */
import { Rng } from '../core/rng.js';
import { getCorpus } from '../lm/corpora/index.js';
import { type EncodedRows, encodeRows } from '../lm/sequences.js';
import { trainTokenizer } from '../lm/tokenizer.js';
import { type BackendPath, initBackend } from '../nn/backend.js';
import { AdamW, cloneTransformer, createTransformer, type ResolvedTransformerConfig } from '../nn/index.js';
import { DpoConfigSchema, dpoStep, type ResolvedDpoConfig, referenceLogps } from './dpo.js';
import { PpoConfigSchema, ppoUpdate, preparePpoBatch, type ResolvedPpoConfig, VALUE_HEAD } from './ppo.js';

export const alignBenchMethods = ['dpo', 'ppo'] as const;
export type AlignBenchMethod = (typeof alignBenchMethods)[number];

export interface AlignBenchRow {
  method: AlignBenchMethod;
  /** What one timed update is, e.g. "dpoStep, 32 pairs (64 rows × 15 tokens)". */
  update: string;
  path: BackendPath | 'pytorch';
  /** Best of the timed updates, in milliseconds. */
  updateMs: number;
  updatesPerSecond: number;
  /** Optimizer steps inside one update (PPO: epochs × minibatches; DPO: 1). */
  optimizerSteps: number;
  steps: number;
}

/** Everything both sides need: the model shape, the loss settings and the token rows. */
export interface AlignBenchSetup {
  model: ResolvedTransformerConfig;
  dpo: { config: ResolvedDpoConfig; pairs: number; rows: EncodedRows };
  ppo: { config: ResolvedPpoConfig; rows: EncodedRows };
}

export const DPO_BENCH_PAIRS = 32;
export const PPO_BENCH_ROLLOUTS = 64;

/**
 * The default tiny model and batches. DPO pairs: an item's true completion against another
 * item's (a wrong answer), 2 × 32 rows of one width. PPO rollouts: 64 item completions.
 */
export function alignBenchSetup(): AlignBenchSetup {
  const corpus = getCorpus('arithmetic', 0, 'bench');
  const items = corpus.split('train');
  const texts = [...items, ...corpus.split('test')].map((i) => i.prompt + i.completion);
  const tokenizer = trainTokenizer('char', texts);
  const longest = Math.max(...texts.map((t) => tokenizer.encode(t).length + 2));
  const model: ResolvedTransformerConfig = {
    vocabSize: tokenizer.vocabSize,
    contextLength: longest + 4,
    layers: 2,
    heads: 4,
    width: 64,
    scalarHeads: [],
  };
  const rng = new Rng(0);
  const pick = rng.shuffle(items.map((_, i) => i)).slice(0, PPO_BENCH_ROLLOUTS + 1);
  const chosen = pick.slice(0, DPO_BENCH_PAIRS).map((i) => items[i]);
  const rejected = pick.slice(1, DPO_BENCH_PAIRS + 1).map((i) => items[i].completion);
  const dpoRows = encodeRows(tokenizer, [
    ...chosen.map((c) => ({ prompt: c.prompt, completion: c.completion })),
    ...chosen.map((c, i) => ({ prompt: c.prompt, completion: rejected[i] })),
  ]);
  const ppoRows = encodeRows(
    tokenizer,
    pick
      .slice(0, PPO_BENCH_ROLLOUTS)
      .map((i) => ({ prompt: items[i].prompt, completion: items[i].completion })),
  );
  return {
    model,
    dpo: {
      config: DpoConfigSchema.parse({ batchSize: DPO_BENCH_PAIRS }),
      pairs: DPO_BENCH_PAIRS,
      rows: dpoRows,
    },
    ppo: { config: PpoConfigSchema.parse({ batchSize: PPO_BENCH_ROLLOUTS }), rows: ppoRows },
  };
}

export function describeUpdate(setup: AlignBenchSetup, method: AlignBenchMethod): string {
  const m = setup.model;
  const shape = `L${m.layers} H${m.heads} C${m.width} V${m.vocabSize}`;
  if (method === 'dpo') {
    const r = setup.dpo.rows;
    return `dpo step: ${setup.dpo.pairs} pairs (${r.batch}×${r.time} tokens), ${shape}`;
  }
  const { rows, config } = setup.ppo;
  return `ppo update: ${rows.batch} rollouts (${rows.batch}×${rows.time}), ${config.ppoEpochs} epochs × ${config.miniBatches} minibatches, ${shape}`;
}

export function optimizerStepsPerUpdate(setup: AlignBenchSetup, method: AlignBenchMethod): number {
  return method === 'dpo' ? 1 : setup.ppo.config.ppoEpochs * setup.ppo.config.miniBatches;
}

/** The setup as plain JSON for the PyTorch peer (typed arrays become lists). */
export function setupJson(setup: AlignBenchSetup): string {
  const rows = (r: EncodedRows) => ({
    batch: r.batch,
    time: r.time,
    ids: [...r.ids],
    promptLengths: [...r.promptLengths],
    lengths: [...r.lengths],
  });
  return JSON.stringify({
    model: setup.model,
    dpo: { ...setup.dpo, rows: rows(setup.dpo.rows) },
    ppo: { ...setup.ppo, rows: rows(setup.ppo.rows) },
  });
}

/**
 * Best-of-`steps` time of one update after `warmup` untimed ones (the machine is shared: the
 * minimum is the least disturbed). The reference log-probabilities (DPO) and the scored,
 * advantage-annotated rollout batch (PPO) are prepared once, outside the timing, as the
 * trainers do before their updates.
 */
export async function measureAlignUpdate(
  method: AlignBenchMethod,
  path: BackendPath,
  steps: number,
  warmup = 1,
): Promise<AlignBenchRow> {
  const info = await initBackend(path);
  if (info.path !== path) throw new Error(`path ${path} is not available here (${info.description})`);
  const setup = alignBenchSetup();
  const rng = new Rng(1);
  let update: () => void;
  let release: () => void;
  if (method === 'dpo') {
    const { config, pairs, rows } = setup.dpo;
    const policy = createTransformer(setup.model, { seed: 0 });
    const optimizer = new AdamW(policy.namedWeights(), { learningRate: config.learningRate, weightDecay: 0 });
    const data = { rows, pairs, referenceLogps: referenceLogps(policy, rows, config) };
    const indices = Array.from({ length: pairs }, (_, i) => i);
    update = () => {
      dpoStep(policy, optimizer, data, indices, config);
    };
    release = () => {
      optimizer.dispose();
      policy.dispose();
    };
  } else {
    const { config, rows } = setup.ppo;
    const reference = createTransformer(setup.model, { seed: 0 });
    const policy = cloneTransformer(reference, { scalarHeads: [VALUE_HEAD], seed: 1 });
    const optimizer = new AdamW(policy.namedWeights(), { learningRate: config.learningRate, weightDecay: 0 });
    const scores = Float64Array.from({ length: rows.batch }, () => rng.normal());
    const { batch } = preparePpoBatch(policy, reference, rows, scores, config.klCoef, config);
    update = () => {
      ppoUpdate(policy, optimizer, batch, config, rng);
    };
    release = () => {
      optimizer.dispose();
      policy.dispose();
      reference.dispose();
    };
  }
  for (let i = 0; i < warmup; i++) update();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    update();
    best = Math.min(best, performance.now() - start);
  }
  release();
  return {
    method,
    update: describeUpdate(setup, method),
    path,
    updateMs: round(best),
    updatesPerSecond: round(1000 / best),
    optimizerSteps: optimizerStepsPerUpdate(setup, method),
    steps,
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
