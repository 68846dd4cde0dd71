/** The `bench align` setup: the rows both sides time, and one measured update on the active path. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  alignBenchSetup,
  DPO_BENCH_PAIRS,
  measureAlignUpdate,
  PPO_BENCH_ROLLOUTS,
  setupJson,
} from '../../src/align/bench.js';
import { initBackend } from '../../src/nn/index.js';

let path: 'native' | 'wasm' | 'cpu';
beforeAll(async () => {
  path = (await initBackend()).path;
});

describe('bench align', () => {
  it('times DPO on chosen rows 0..31 and rejected rows 32..63 of one shape, sharing prompts', () => {
    const s = alignBenchSetup();
    expect(s.model).toMatchObject({ width: 64, layers: 2, heads: 4 });
    const r = s.dpo.rows;
    expect(r.batch).toBe(2 * DPO_BENCH_PAIRS);
    expect(s.ppo.rows.batch).toBe(PPO_BENCH_ROLLOUTS);
    for (let i = 0; i < DPO_BENCH_PAIRS; i++) {
      const j = i + DPO_BENCH_PAIRS;
      const prompt = (b: number) => [...r.ids.subarray(b * r.time, b * r.time + r.promptLengths[b])];
      const row = (b: number) => [...r.ids.subarray(b * r.time, b * r.time + r.lengths[b])];
      expect(prompt(j)).toEqual(prompt(i));
      expect(row(j)).not.toEqual(row(i));
      expect(r.lengths[i]).toBeLessThanOrEqual(s.model.contextLength);
    }
    const json = JSON.parse(setupJson(s));
    expect(json.dpo.rows.ids).toHaveLength(r.batch * r.time);
    expect(json.ppo.config).toMatchObject({ ppoEpochs: 4, miniBatches: 2 });
    expect(setupJson(alignBenchSetup())).toBe(setupJson(s));
  });

  it('measures one DPO step and one PPO update without leaking tensors', { timeout: 60_000 }, async () => {
    // The first update of each method allocates the backend's one-time constants (PPO's path
    // has its own, e.g. native kernels' cached scalars); count from the second on.
    await measureAlignUpdate('dpo', path, 1, 0);
    await measureAlignUpdate('ppo', path, 1, 0);
    const before = tf.memory().numTensors;
    const dpo = await measureAlignUpdate('dpo', path, 1, 0);
    const ppo = await measureAlignUpdate('ppo', path, 1, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(ppo.optimizerSteps).toBe(8);
    expect(dpo.optimizerSteps).toBe(1);
  });
});
