/** The `bench text` workloads: the prompts both sides sample from, and one measurement of each on the active path. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureTextWorkload, SAMPLE_PROMPTS, textBenchSpec } from '../../src/align/bench-text.js';
import { initBackend } from '../../src/nn/index.js';

let path: 'native' | 'wasm' | 'cpu';
beforeAll(async () => {
  path = (await initBackend()).path;
});

describe('bench text', () => {
  it('samples from the PPO rollout prompts, <bos>-led, with room for at least one new token', () => {
    const { setup, prompts, maxNewTokens } = textBenchSpec();
    expect(prompts).toHaveLength(SAMPLE_PROMPTS);
    for (const p of prompts) {
      expect(p[0]).toBe(1); // <bos>
      expect(p.length + maxNewTokens).toBeLessThanOrEqual(setup.model.contextLength);
    }
    expect(maxNewTokens).toBeGreaterThan(0);
  });

  it('measures sampling, an SFT step and an RM step without leaking tensors', {
    timeout: 120_000,
  }, async () => {
    // The first runs allocate one-time constants (a causal mask per length); count from the second on.
    for (const w of ['sample', 'sft', 'rm'] as const) await measureTextWorkload(w, path, 1);
    const before = tf.memory().numTensors;
    const sample = await measureTextWorkload('sample', path, 1);
    const sft = await measureTextWorkload('sft', path, 1);
    const rm = await measureTextWorkload('rm', path, 1);
    expect(tf.memory().numTensors).toBe(before);
    // Sampling counts new tokens: at least one per prompt; a training step counts one unit.
    expect(sample.units).toBeGreaterThanOrEqual(SAMPLE_PROMPTS);
    expect(sft.units).toBe(1);
    expect(rm.units).toBe(1);
  });
});
