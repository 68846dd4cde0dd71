/**
 * Reward models that can verify (issue 10, item 3): from the competent base model's trunk with a
 * scalar head (InstructGPT) plus the trunk's log-probability of the answer, trained on labels of an unbiased rater over the gold utility, the
 * held-out truth agreement (pairs whose gold utilities differ, on test-split prompts) rises with
 * the number of labels and is well above a coin at the larger budget.
 */
import { describe, expect, it } from 'vitest';
import { evaluateRewardModel, trainRewardModel } from '../../src/align/reward-model.js';
import { Rng } from '../../src/core/rng.js';
import { simulatedRater } from '../../src/experiments/text-policy.js';
import { generatePreferences } from '../../src/feedback/generate.js';
import { lmArithmeticPairSource } from '../../src/feedback/lm-arithmetic-pairs.js';
import { trainingView } from '../../src/feedback/preference-data.js';
import { loadArithmeticBaseModel } from '../../src/lm/base-model.js';

const rater = (rng: Rng) =>
  simulatedRater({ beta: 5, confidenceBias: 0, lengthBias: 0, flipProbability: 0 }, rng);

describe('reward model from the SFT trunk', () => {
  it('agrees with the truth on held-out pairs more with more labels', { timeout: 300_000 }, async () => {
    const base = await loadArithmeticBaseModel();
    const rng = new Rng(21);
    const heldOut = await generatePreferences({
      source: lmArithmeticPairSource(0, 'test'),
      rater: rater(rng.derive('held-out-rater')),
      count: 300,
      rng: rng.derive('held-out'),
    });
    const agreement = async (labels: number) => {
      const { pairs } = await generatePreferences({
        source: lmArithmeticPairSource(0),
        rater: rater(rng.derive(`rater-${labels}`)),
        count: labels,
        rng: rng.derive(`pairs-${labels}`),
      });
      const rm = trainRewardModel(
        pairs.map(trainingView),
        { epochs: 2, seed: 3, answerLikelihood: true },
        { init: base },
      );
      const truth = evaluateRewardModel(rm, heldOut.pairs).truthAccuracy ?? Number.NaN;
      rm.dispose();
      return truth;
    };
    const small = await agreement(100);
    const large = await agreement(1500);
    expect(large).toBeGreaterThan(small);
    // Issue 10 asks ≥ 0.75 at the largest budget (README: measured with 3,000 labels); a margin here.
    expect(large).toBeGreaterThanOrEqual(0.7);
  });
});
