/**
 * Text reward models beyond the basics in preference-trainers.test.ts: the margin column reaches
 * the loss, TRL's reward-centering term is added as written, ensemble
 * members are distinct bootstrap fits whose spread is `disagreement`, training repeats with its
 * seed, ties in the truth are left out of truth accuracy, and a missing member or a broken index is named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  evaluateRewardModel,
  loadRewardModel,
  RewardEnsemble,
  type RewardTrainConfig,
  saveRewardModel,
  trainRewardModel,
} from '../../src/align/reward-model.js';
import { Rng } from '../../src/core/rng.js';
import type { PreferencePair } from '../../src/feedback/preference-data.js';
import { trainingView } from '../../src/feedback/preference-data.js';
import { initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

/** "<digits> a" beats "<digits> b"; every pair distinct. */
function letterPairs(count: number, seed: number, margin?: number): PreferencePair[] {
  const rng = new Rng(seed);
  const seen = new Set<string>();
  const pairs: PreferencePair[] = [];
  while (pairs.length < count) {
    const prompt = `${rng.int(10)}+${rng.int(10)}=`;
    const digits = String(rng.int(100));
    const key = prompt + digits;
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ prompt, chosen: `${digits} a`, rejected: `${digits} b`, ...(margin ? { margin } : {}) });
  }
  return pairs;
}

/** A fresh (no SFT trunk) tiny reward model: fast enough for a unit test. */
const tiny: RewardTrainConfig = {
  width: 16,
  layers: 1,
  heads: 2,
  epochs: 4,
  batchSize: 16,
  learningRate: 3e-3,
};

const items = (pairs: readonly PreferencePair[]) =>
  pairs.flatMap((p) => [
    { prompt: p.prompt as string, completion: p.chosen as string },
    { prompt: p.prompt as string, completion: p.rejected as string },
  ]);

describe('reward model training', () => {
  it('repeats exactly with its seed and differs with another', () => {
    const pairs = letterPairs(32, 1).map(trainingView);
    const probe = items(letterPairs(4, 2));
    const scores = (seed: number) => {
      const rm = trainRewardModel(pairs, { ...tiny, epochs: 1, seed });
      const s = Array.from(rm.score(probe));
      rm.dispose();
      return s;
    };
    expect(scores(3)).toEqual(scores(3));
    expect(scores(3)).not.toEqual(scores(4));
  }, 30_000);

  it('reads the margin column into the loss −log σ(Δr − m), and ignores it with useMargin: false', () => {
    // A fresh reward head scores near 0, so the first step's loss is −log σ(−m): ln(1 + e³) = 3.0486
    // with m = 3, and ln 2 = 0.6931 without a margin.
    const pairs = letterPairs(16, 4, 3).map(trainingView);
    const firstLoss = (useMargin: boolean) => {
      let loss = Number.NaN;
      const rm = trainRewardModel(
        pairs,
        { ...tiny, epochs: 1, batchSize: 16, useMargin },
        { onStep: (p) => (loss = p.step === 1 ? p.loss : loss) },
      );
      rm.dispose();
      return loss;
    };
    expect(firstLoss(true)).toBeCloseTo(Math.log(1 + Math.exp(3)), 1);
    expect(firstLoss(false)).toBeCloseTo(Math.log(2), 1);
  }, 30_000);

  it("adds TRL's centering term c·mean((r_c + r_r)²) to the loss", () => {
    // Bradley–Terry is blind to a shift of all rewards, so only the centering term depends on
    // r_c + r_r. Same seed → same initial weights: the first-step losses differ by exactly that term.
    const pairs = letterPairs(16, 6).map(trainingView);
    const c = 1000;
    const run = (centerRewardsCoefficient: number) => {
      let loss = Number.NaN;
      const rm = trainRewardModel(
        pairs,
        { ...tiny, epochs: 1, batchSize: 16, learningRate: 1e-9, seed: 2, centerRewardsCoefficient },
        { onStep: (p) => (loss = p.loss) },
      );
      const s = rm.score(items(pairs as PreferencePair[]));
      rm.dispose();
      return { loss, s };
    };
    const plain = run(0);
    const centred = run(c);
    let term = 0;
    for (let i = 0; i < pairs.length; i++) term += (plain.s[2 * i] + plain.s[2 * i + 1]) ** 2;
    term = (c * term) / pairs.length;
    expect(term).toBeGreaterThan(1e-3);
    expect(centred.loss - plain.loss).toBeCloseTo(term, 3);
  }, 30_000);
});

describe('reward ensembles', () => {
  it('score the mean of distinct members and report their standard deviation as disagreement', () => {
    const rm = trainRewardModel(letterPairs(48, 8).map(trainingView), { ...tiny, epochs: 2, ensemble: 3 });
    const probe = items(letterPairs(5, 9));
    const members = rm.memberScores(probe);
    expect(members).toHaveLength(3);
    expect(Array.from(members[0])).not.toEqual(Array.from(members[1]));
    const mean = rm.score(probe);
    const spread = rm.disagreement(probe);
    probe.forEach((_, i) => {
      const xs = members.map((m) => m[i]);
      const mu = (xs[0] + xs[1] + xs[2]) / 3;
      expect(mean[i]).toBeCloseTo(mu, 12);
      expect(spread[i]).toBeCloseTo(Math.sqrt(xs.reduce((s, x) => s + (x - mu) ** 2, 0) / 3), 12);
    });
    // One member: no disagreement.
    const single = new RewardEnsemble([rm.members[0]]);
    expect(Array.from(single.disagreement(probe)).every((x) => x === 0)).toBe(true);
    rm.dispose();
  }, 30_000);
});

describe('reward model metrics', () => {
  it('leave pairs whose true utilities tie out of truth accuracy', () => {
    const rm = trainRewardModel(letterPairs(48, 10).map(trainingView), { ...tiny, epochs: 4 });
    const [p1, p2, p3] = letterPairs(3, 11);
    const m = evaluateRewardModel(rm, [
      { ...p1, truth: { chosen_utility: 1, rejected_utility: 0 } },
      // The label says chosen ≻ rejected; the truth says the opposite.
      { ...p2, truth: { chosen_utility: 0, rejected_utility: 1 } },
      { ...p3, truth: { chosen_utility: 0.5, rejected_utility: 0.5 } },
    ]);
    expect(m.pairs).toBe(3);
    expect(m.truthCounted).toBe(2);
    expect(m.labelTruthAgreement).toBe(0.5);
    expect(evaluateRewardModel(rm, [p1]).truthAccuracy).toBeUndefined();
    rm.dispose();
  }, 30_000);
});

describe('reward model directories', () => {
  it('name a missing member checkpoint and an unreadable index', () => {
    const rm = trainRewardModel(letterPairs(8, 12).map(trainingView), { ...tiny, epochs: 1, ensemble: 2 });
    const dir = join(mkdtempSync(join(tmpdir(), 'alignlab-rm-')), 'rm');
    saveRewardModel(dir, rm, { note: 'test' });
    rm.dispose();
    const loaded = loadRewardModel(dir);
    expect(loaded.members).toHaveLength(2);
    loaded.dispose();
    rmSync(join(dir, 'member-1'), { recursive: true });
    expect(() => loadRewardModel(dir)).toThrow(/member-1/);
    writeFileSync(join(dir, 'reward.json'), 'not json');
    expect(() => loadRewardModel(dir)).toThrow(/reward\.json.*|not valid JSON/);
  }, 30_000);
});
