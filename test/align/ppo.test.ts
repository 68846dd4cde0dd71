import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainPpo } from '../../src/align/ppo.js';
import type { RewardScorer } from '../../src/align/reward-model.js';
import { Rng } from '../../src/core/rng.js';
import { trainTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

const tokenizer = trainTokenizer('char', ['0123456789+= ab']);
/** Rewards completions for their share of the letter 'a': a target a random policy rarely hits. */
const countA: RewardScorer = {
  score: (items) =>
    Float64Array.from(items, (i) =>
      i.completion.length === 0 ? 0 : [...i.completion].filter((c) => c === 'a').length / 4,
    ),
};
const prompts = ['1+2=', '3+4=', '5+6=', '7+8='];
const policyOf = () =>
  createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2, layers: 1 },
    { seed: 2 },
  );

describe('PPO', () => {
  it('raises the reward model score while the KL from the reference grows, under TRL metric names', async () => {
    const sft = policyOf();
    const result = await trainPpo({
      policy: sft,
      tokenizer,
      prompts,
      reward: countA,
      rng: new Rng(1),
      config: { steps: 30, batchSize: 32, maxNewTokens: 4, learningRate: 3e-3, klCoef: 0.01 },
    });
    const first = result.history.slice(0, 3).reduce((s, m) => s + m['objective/scores'], 0) / 3;
    const last = result.history.slice(-3).reduce((s, m) => s + m['objective/scores'], 0) / 3;
    expect(last).toBeGreaterThan(first + 0.2);
    expect(result.history.at(-1)?.['objective/kl']).toBeGreaterThan(0.1);
    for (const key of [
      'policy/approxkl_avg',
      'policy/clipfrac_avg',
      'loss/policy_avg',
      'loss/value_avg',
      'objective/rlhf_reward',
    ])
      expect(Number.isFinite(result.history.at(-1)?.[key as 'kl_coef'])).toBe(true);
    tf.dispose([result.policy, result.reference].flatMap((m) => [...m.namedWeights().values()]));
    sft.dispose();
  }, 60_000);

  it('stays near the reference under a heavy KL penalty, and repeats exactly with the same seed', async () => {
    const sft = policyOf();
    const counts: number[] = [];
    const run = () =>
      trainPpo({
        policy: sft,
        tokenizer,
        prompts,
        reward: countA,
        rng: new Rng(4),
        config: { steps: 8, batchSize: 16, maxNewTokens: 4, learningRate: 3e-3, klCoef: 5 },
        onStep: () => counts.push(tf.memory().numTensors),
      });
    const before = tf.memory().numTensors;
    const a = await run();
    // Flat across steps (policy, reference, optimizer state allocated once), and nothing left after.
    expect(new Set(counts).size).toBe(1);
    a.policy.dispose();
    a.reference.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const b = await run();
    expect(b.history).toEqual(a.history);
    expect(Math.abs(b.history.at(-1)?.['objective/kl'] ?? 1)).toBeLessThan(0.1);
    b.policy.dispose();
    b.reference.dispose();
    sft.dispose();
  }, 60_000);

  it("subtracts TRL's missing-EOS penalty from the scores of completions cut off before <eos>", async () => {
    const sft = policyOf();
    const once = async (missingEosPenalty?: number) => {
      const r = await trainPpo({
        policy: sft,
        tokenizer,
        prompts,
        reward: countA,
        rng: new Rng(6),
        // Two new tokens: an untrained policy almost never ends with <eos> that soon.
        config: { steps: 1, batchSize: 16, maxNewTokens: 2, missingEosPenalty },
      });
      r.policy.dispose();
      r.reference.dispose();
      return r.history[0]['objective/scores'];
    };
    const plain = await once();
    const penalized = await once(1);
    // Same seed, same samples: the gap is the share of samples without <eos>, in (0, 1].
    expect(plain - penalized).toBeGreaterThan(0.5);
    expect(plain - penalized).toBeLessThanOrEqual(1 + 1e-9);
    sft.dispose();
  }, 60_000);

  it('a reward that says nothing moves nothing: with a zero value head the advantages are 0, so is every step', async () => {
    const sft = policyOf();
    // Zero: any other constant reaches the tokens through GAE as λ^k of it, position by position.
    const constant: RewardScorer = { score: (items) => new Float64Array(items.length) };
    const run = (valueHeadInit: 'zero' | 'random') =>
      trainPpo({
        policy: sft,
        tokenizer,
        prompts,
        reward: constant,
        rng: new Rng(12),
        config: { steps: 3, batchSize: 16, maxNewTokens: 4, learningRate: 3e-3, valueHeadInit },
      });
    const zero = await run('zero');
    // Zero rewards, zero KL, zero values: zero advantages; no gradient reaches the policy, which stays the reference.
    for (const m of zero.history) expect(Math.abs(m['objective/kl'])).toBeLessThan(1e-6);
    expect(zero.history.at(-1)?.['policy/approxkl_avg']).toBeLessThan(1e-12);
    // A random head's outputs are noise the whitened advantages blow up to unit scale: the policy drifts.
    const random = await run('random');
    expect(random.history.at(-1)?.['policy/approxkl_avg']).toBeGreaterThan(1e-8);
    for (const r of [zero, random]) {
      r.policy.dispose();
      r.reference.dispose();
    }
    sft.dispose();
  }, 60_000);

  it('value warm-up fits the value head to the batch first: a lower value loss in the update that follows', async () => {
    const sft = policyOf();
    const run = async (valueWarmup: number) => {
      const r = await trainPpo({
        policy: sft,
        tokenizer,
        prompts,
        reward: countA,
        rng: new Rng(13),
        // A random head starts off the returns by its noise: something for the warm-up to fit.
        config: {
          steps: 1,
          batchSize: 16,
          maxNewTokens: 4,
          learningRate: 3e-3,
          valueWarmup,
          valueHeadInit: 'random',
        },
      });
      r.policy.dispose();
      r.reference.dispose();
      return r.history[0];
    };
    const [cold, warm] = [await run(0), await run(1)];
    // Same seed, same samples and scores; only the value head differs when the update starts.
    expect(warm['objective/scores']).toBe(cold['objective/scores']);
    expect(warm['loss/value_avg']).toBeLessThan(cold['loss/value_avg'] * 0.9);
    sft.dispose();
  }, 60_000);

  it('adapts the KL coefficient toward a target', async () => {
    const sft = policyOf();
    const r = await trainPpo({
      policy: sft,
      tokenizer,
      prompts,
      reward: countA,
      rng: new Rng(5),
      config: { steps: 4, batchSize: 16, maxNewTokens: 4, klCoef: 0.1, klTarget: 100, klHorizon: 100 },
    });
    expect(r.history.at(-1)?.kl_coef).toBeLessThan(0.1);
    r.policy.dispose();
    r.reference.dispose();
    sft.dispose();
  }, 60_000);
});
