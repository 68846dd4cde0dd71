/**
 * Reward models that can verify (issue 10, item 3): from the competent base model's trunk with a
 * scalar head (InstructGPT), trained on labels of an unbiased rater over the gold utility: the
 * head alone stays near a coin on held-out pairs (pairs whose gold utilities differ, test-split
 * prompts); with the trunk's own log-probability of the answer added it agrees with the truth.
 * (Its rise with the number of labels is small and not monotone within one seed: README.)
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
  it("tells right from wrong on held-out pairs only with the trunk's answer likelihood", {
    timeout: 300_000,
  }, async () => {
    const base = await loadArithmeticBaseModel();
    const rng = new Rng(21);
    const heldOut = await generatePreferences({
      source: lmArithmeticPairSource(0, 'test'),
      rater: rater(rng.derive('held-out-rater')),
      count: 300,
      rng: rng.derive('held-out'),
    });
    const { pairs } = await generatePreferences({
      source: lmArithmeticPairSource(0),
      rater: rater(rng.derive('rater')),
      count: 500,
      rng: rng.derive('pairs'),
    });
    const agreement = (answerLikelihood: boolean) => {
      const rm = trainRewardModel(
        pairs.map(trainingView),
        { epochs: 2, seed: 3, answerLikelihood },
        { init: base },
      );
      const truth = evaluateRewardModel(rm, heldOut.pairs).truthAccuracy ?? Number.NaN;
      rm.dispose();
      return truth;
    };
    // README: 0.47–0.50 for the head alone with 100–3,000 labels, 0.77–0.81 with the likelihood term
    // (and 0.80–0.89 in overoptimization's quick runs with 25–250 labels of the policy's own samples).
    const headAlone = agreement(false);
    const withLikelihood = agreement(true);
    expect(headAlone).toBeLessThan(0.65);
    // Issue 10 asks ≥ 0.75 at the largest budget; a margin for one seed of 300 held-out pairs.
    expect(withLikelihood).toBeGreaterThanOrEqual(0.7);
  });
});
