import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bestIndex, bestOfN } from '../../src/align/best-of-n.js';
import { trainDpo } from '../../src/align/dpo.js';
import { bestOfNKl } from '../../src/align/ppo-math.js';
import {
  evaluateRewardModel,
  expectedCalibrationError,
  loadRewardModel,
  type RewardScorer,
  saveRewardModel,
  trainRewardModel,
} from '../../src/align/reward-model.js';
import { Rng } from '../../src/core/rng.js';
import type { PreferencePair } from '../../src/feedback/preference-data.js';
import { trainTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

const tokenizer = trainTokenizer('char', ['0123456789+= abxy']);
/** Pairs a reward model can learn: completions with 'a' beat completions with 'b'. */
function letterPairs(count: number, seed: number): PreferencePair[] {
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const pairs: PreferencePair[] = [];
  while (pairs.length < count) {
    const prompt = `${rng.int(10)}+${rng.int(10)}=`;
    const digits = String(rng.int(100));
    const pair = {
      prompt,
      chosen: `${digits} a`,
      rejected: `${digits} b`,
      truth: { chosen_utility: 1, rejected_utility: 0 },
    };
    const key = JSON.stringify(pair);
    if (!seen.has(key)) {
      seen.add(key);
      pairs.push(pair);
    }
  }
  return pairs;
}
const small = () =>
  createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 16, width: 16, heads: 2, layers: 1 },
    { seed: 1 },
  );

describe('reward model', () => {
  it('learns a separable preference, reports accuracy/margin/ECE and agreement with the truth', () => {
    const init = { model: small(), tokenizer };
    const train = letterPairs(120, 1);
    const heldOut = letterPairs(40, 2);
    // The first update ever made caches one engine constant; count tensors after it.
    trainRewardModel(train.slice(0, 2), { epochs: 1 }, { init }).dispose();
    const before = tf.memory().numTensors;
    const model = trainRewardModel(
      train,
      { epochs: 6, batchSize: 16, learningRate: 3e-3, ensemble: 2 },
      { init },
    );
    const m = evaluateRewardModel(model, heldOut);
    expect(m.accuracy).toBeGreaterThan(0.95);
    expect(m.margin).toBeGreaterThan(0);
    expect(m.truthAccuracy).toBeGreaterThan(0.95);
    expect(m.labelTruthAgreement).toBe(1);
    expect(m.disagreement).toBeGreaterThan(0);
    const dir = mkdtempSync(join(tmpdir(), 'alignlab-rm-'));
    saveRewardModel(join(dir, 'rm'), model);
    const loaded = loadRewardModel(join(dir, 'rm'));
    const items = heldOut
      .slice(0, 5)
      .map((p) => ({ prompt: p.prompt as string, completion: p.chosen as string }));
    expect(Array.from(loaded.score(items))).toEqual(Array.from(model.score(items)));
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
    init.model.dispose();
  }, 60_000);

  it('names a missing or corrupt reward model directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alignlab-rm-'));
    expect(() => loadRewardModel(dir)).toThrow(/reward\.json.*missing|missing/);
    writeFileSync(join(dir, 'reward.json'), '{"format": "other"}');
    expect(() => loadRewardModel(dir)).toThrow(/not a reward index: format/);
  });

  it('computes ECE as the weighted gap between confidence and accuracy', () => {
    expect(expectedCalibrationError([0.95, 0.95], [true, true])).toBeCloseTo(0.05);
    expect(expectedCalibrationError([0.55, 0.55], [true, false])).toBeCloseTo(0.05);
  });
});

describe('DPO', () => {
  it('starts at loss ln 2 and raises rewards/accuracies on separable pairs; IPO and robust run', async () => {
    const sft = small();
    const pairs = letterPairs(64, 3);
    const r = await trainDpo({
      policy: sft,
      tokenizer,
      pairs,
      rng: new Rng(1),
      config: { steps: 25, batchSize: 16, learningRate: 3e-3, beta: 0.5 },
    });
    expect(r.history[0].loss).toBeCloseTo(Math.log(2), 5);
    expect(r.history[0]['rewards/margins']).toBeCloseTo(0, 5);
    const late = r.history.slice(-5).reduce((s, m) => s + m['rewards/accuracies'], 0) / 5;
    expect(late).toBeGreaterThan(0.9);
    expect(r.history.at(-1)!.loss).toBeLessThan(0.5);
    r.policy.dispose();
    r.reference.dispose();
    for (const lossType of ['ipo', 'robust'] as const) {
      const v = await trainDpo({
        policy: sft,
        tokenizer,
        pairs,
        rng: new Rng(2),
        config: { steps: 3, batchSize: 8, lossType, labelSmoothing: lossType === 'robust' ? 0.1 : 0 },
      });
      expect(v.history.every((m) => Number.isFinite(m.loss))).toBe(true);
      v.policy.dispose();
      v.reference.dispose();
    }
    sft.dispose();
  }, 60_000);

  it('repeats exactly with the same seed and leaks no tensors', async () => {
    const sft = small();
    const pairs = letterPairs(32, 4);
    const before = tf.memory().numTensors;
    const run = async () => {
      const r = await trainDpo({
        policy: sft,
        tokenizer,
        pairs,
        rng: new Rng(9),
        config: { steps: 4, batchSize: 8 },
      });
      r.policy.dispose();
      r.reference.dispose();
      return r.history;
    };
    expect(await run()).toEqual(await run());
    expect(tf.memory().numTensors).toBe(before);
    sft.dispose();
  }, 60_000);
});

describe('best-of-n', () => {
  it('keeps the highest-scored of n samples, with KL log n − (n−1)/n', () => {
    const model = small();
    const likesA: RewardScorer = {
      score: (items) => Float64Array.from(items, (i) => (i.completion.includes('a') ? 1 : 0)),
    };
    const prompts = ['1+1=', '2+2=', '3+3='];
    const r = bestOfN({
      policy: model,
      tokenizer,
      prompts,
      n: 64,
      reward: likesA,
      rng: new Rng(3),
      maxNewTokens: 4,
    });
    expect(r.kl).toBeCloseTo(bestOfNKl(64));
    expect(r.samples.every((s) => s.length === 64)).toBe(true);
    r.chosen.forEach((c, p) => {
      expect(r.chosenScores[p]).toBe(Math.max(...r.scores[p]));
      expect(likesA.score([{ prompt: prompts[p], completion: c }])[0]).toBe(r.chosenScores[p]);
    });
    expect(bestIndex([0, 3, 3, 1], 4)).toBe(1);
    expect(bestIndex([0, 3, 5], 2)).toBe(1);
    model.dispose();
  });
});
