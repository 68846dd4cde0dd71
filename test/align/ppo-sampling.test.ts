/**
 * PPO is on-policy only if the sampler and the trainer agree on the policy: the tokens the
 * sampler draws (KV cache, one decode step per token) must come from the distribution whose
 * log-probabilities the trainer reads (a full forward pass over the row), and before the first
 * update the importance ratio π/π_old must be 1. Both are properties of the code, not of a
 * fitted number: they hold on any CPU up to float rounding and sampling noise (bounds with
 * margin below).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PpoConfigSchema, ppoUpdate, preparePpoBatch } from '../../src/align/ppo.js';
import { Rng } from '../../src/core/rng.js';
import { sampleRollouts } from '../../src/lm/rollout.js';
import { completionReadout } from '../../src/lm/sequences.js';
import { trainTokenizer } from '../../src/lm/tokenizer.js';
import { AdamW, cloneTransformer, createTransformer, initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

const tokenizer = trainTokenizer('char', ['0123456789+= ab']);
const policyOf = () =>
  createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2, layers: 1 },
    { seed: 3 },
  );

describe('PPO sampling and training see the same policy', () => {
  it("the sampler's token frequencies match the trainer's probabilities of those tokens", () => {
    const model = policyOf();
    const n = 2000;
    const rollouts = sampleRollouts(model, tokenizer, Array(n).fill('1+2='), {
      maxNewTokens: 2,
      rng: new Rng(8),
    });
    const out = completionReadout(model, rollouts.rows);
    const logps = out.tokenLogps.arraySync() as number[][];
    tf.dispose([out.tokenLogps, out.totalLogps, out.mask]);
    const { rows } = rollouts;
    const first = rows.promptLengths[0]; // the same prompt in every row
    // The first completion token: its count over n samples against n · p(token) from the trainer.
    const counts = new Map<number, { count: number; p: number }>();
    for (let b = 0; b < n; b++) {
      const token = rows.ids[b * rows.time + first];
      const p = Math.exp(logps[b][first - 1]);
      const c = counts.get(token);
      if (c) {
        c.count++;
        // The same prefix gives the same probability in every row (float rounding aside).
        expect(Math.abs(c.p - p)).toBeLessThan(1e-4);
      } else counts.set(token, { count: 1, p });
    }
    expect(counts.size).toBeGreaterThan(3); // an untrained model spreads its mass
    for (const { count, p } of counts.values()) {
      const se = Math.sqrt(n * p * (1 - p)) + 1;
      expect(Math.abs(count - n * p)).toBeLessThan(5 * se);
    }
    model.dispose();
  });

  it('the importance ratio is 1 on the first minibatch, before any update', () => {
    const start = policyOf();
    const policy = cloneTransformer(start, { scalarHeads: ['value'], seed: 1 });
    const reference = cloneTransformer(start, { scalarHeads: [] });
    const config = PpoConfigSchema.parse({ ppoEpochs: 1, miniBatches: 1, batchSize: 32, maxNewTokens: 4 });
    const prompts = Array.from({ length: 32 }, (_, i) => `${i % 10}+${(i * 7) % 10}=`);
    const rollouts = sampleRollouts(policy, tokenizer, prompts, { maxNewTokens: 4, rng: new Rng(9) });
    const scores = Float64Array.from(rollouts.completions, (c) => (c.includes('a') ? 1 : 0));
    const { batch } = preparePpoBatch(policy, reference, rollouts.rows, scores, 0.05, config);
    const optimizer = new AdamW(policy.namedWeights(), { learningRate: 1e-3, weightDecay: 0 });
    // One epoch of one minibatch: `val/ratio` is read in the loss, before its gradient step.
    const stats = ppoUpdate(policy, optimizer, batch, config, new Rng(10));
    expect(Math.abs(stats['val/ratio'] - 1)).toBeLessThan(1e-5);
    expect(stats['policy/approxkl_avg']).toBeLessThan(1e-9);
    expect(stats['policy/clipfrac_avg']).toBe(0);
    // After that step the policy has moved: the same readout no longer gives ratio 1.
    const after = ppoUpdate(policy, optimizer, batch, config, new Rng(10));
    expect(Math.abs(after['val/ratio'] - 1)).toBeGreaterThan(1e-5);
    optimizer.dispose();
    for (const m of [start, policy, reference]) m.dispose();
  });
});
