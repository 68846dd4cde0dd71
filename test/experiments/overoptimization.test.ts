/**
 * overoptimization (Gao et al. 2022): the two functional forms fitted by closed-form least squares
 * (exact on noiseless curves), the rise-then-fall test and the rank correlation on hand-computed
 * data, checks and gates that fail on a missing (null) value, and a small run — what holds on
 * any CPU (best-of-n's proxy never falls with n, the gold control never rises then falls, a
 * passed check has a finite value) and the same numbers from the same seed. Whether the claim
 * holds on the current model is `reproduce`'s report, not asserted here.
 */
import { describe, expect, it } from 'vitest';
import {
  atTemperature,
  fitBestOfN,
  fitRl,
  overoptimizationExperiment,
  pairedStandardError,
  ppoCheckpointSteps,
  riseThenFall,
  scoreDistinct,
  spearman,
} from '../../src/experiments/overoptimization.js';
import type { RunResult } from '../../src/experiments/types.js';
import { type PlainObject, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';
import { trainTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

const ds = [0.5, 0.9, 1.3, 1.7, 2.1, 2.5];

describe('overoptimization fits', () => {
  it('recovers α, β of R_bon(d) = d(α − βd), R² = 1, and its peak d* = α/2β, R* = α²/4β', () => {
    const fit = fitBestOfN(ds.map((d) => ({ d, y: d * (0.6 - 0.2 * d) })));
    expect(fit.alpha).toBeCloseTo(0.6, 10);
    expect(fit.beta).toBeCloseTo(0.2, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
    expect(fit.peakD).toBeCloseTo(1.5, 10);
    expect(fit.peakGain).toBeCloseTo(0.45, 10);
  });

  it('recovers α, β of R_RL(d) = d(α − β ln d) and its peak d* = e^(α/β − 1), R* = βd*', () => {
    const fit = fitRl([{ d: 0, y: 0 }, ...ds.map((d) => ({ d, y: d * (0.3 - 0.4 * Math.log(d)) }))]);
    expect(fit.alpha).toBeCloseTo(0.3, 10);
    expect(fit.beta).toBeCloseTo(0.4, 10);
    expect(fit.r2).toBeCloseTo(1, 10);
    // dR/dd = α − β ln d − β = 0  ⇒  d* = exp(α/β − 1) = exp(−0.25)
    expect(fit.peakD).toBeCloseTo(Math.exp(-0.25), 10);
    expect(fit.peakGain).toBeCloseTo(0.4 * Math.exp(-0.25), 10);
  });

  it('R² of a noisy fit: y = d(1 − d/2) + (+0.1, −0.1, +0.1, −0.1) at d = 1, 2, 3, 4', () => {
    // Normal equations 30α − 100β = Σdy = −20.2 and 100α − 354β = Σd²y = −78 (Σd² = 30, Σd³ = 100,
    // Σd⁴ = 354, by hand): det −620, α = 649.2/620 = 1.0471, β = 320/620 = 0.5161; R² just below 1.
    const ys = [0.6, -0.1, -1.4, -4.1];
    const fit = fitBestOfN([1, 2, 3, 4].map((d, i) => ({ d, y: ys[i] })));
    expect(fit.alpha).toBeCloseTo(649.2 / 620, 10);
    expect(fit.beta).toBeCloseTo(320 / 620, 10);
    expect(fit.r2).toBeGreaterThan(0.99);
    expect(fit.r2).toBeLessThan(1);
  });

  it('reports no peak (NaN, not ∞) when gold never turns down (β ≤ 0)', () => {
    const bon = fitBestOfN(ds.map((d) => ({ d, y: 0.3 * d + 0.05 * d * d })));
    expect(bon.beta).toBeCloseTo(-0.05, 10);
    expect(bon.peakD).toBeNaN();
    const rl = fitRl(ds.map((d) => ({ d, y: d * (0.3 + 0.1 * Math.log(d)) })));
    expect(rl.peakD).toBeNaN();
  });

  it('puts the peak at d = 0 with no gain when gold falls from the start (α ≤ 0), not at a negative d', () => {
    const fit = fitBestOfN(ds.map((d) => ({ d, y: d * (-0.2 - 0.1 * d) })));
    expect(fit.alpha).toBeCloseTo(-0.2, 10);
    expect(fit.peakD).toBe(0);
    expect(fit.peakGain).toBe(0);
  });

  it('spaces PPO checkpoints geometrically, ending at the last step', () => {
    // 120^(i/8) for i = 1..8: 1.82, 3.31, 6.03, 10.97, 19.97, 36.3, 66.1, 120
    expect([...ppoCheckpointSteps(120, 8)]).toEqual([2, 3, 6, 11, 20, 36, 66, 120]);
    expect([...ppoCheckpointSteps(3, 5)]).toEqual([1, 2, 3]);
    // 12^(i/10) rounds to 1, 2, 2, 3, 3, 4, 6, 7, 9, 12: each at least one step after the last.
    expect([...ppoCheckpointSteps(12, 10)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 12]);
  });
});

describe('rise then fall, rank correlation', () => {
  it('paired standard error: differences 1, 2, 3 have sd 1, SE 1/√3', () => {
    expect(pairedStandardError([2, 4, 6], [1, 2, 3])).toBeCloseTo(1 / Math.sqrt(3), 12);
  });

  it('holds for an interior peak whose rise and drop exceed their standard errors', () => {
    // Per prompt (3 prompts): means 0, 1, 0.5; rise 1 (SE 0.058), drop 0.5 (SE 0.058).
    const shape = riseThenFall([
      [0, 0.1, -0.1],
      [1, 1.1, 0.9],
      [0.5, 0.5, 0.5],
    ]);
    expect(shape.peakIndex).toBe(1);
    expect(shape.rise).toBeCloseTo(1, 12);
    expect(shape.drop).toBeCloseTo(0.5, 12);
    expect(shape.holds).toBe(true);
  });

  it('fails when the peak is the last point, the first point, or the drop is within its standard error', () => {
    expect(riseThenFall([[0], [0.5], [1]].map((x) => [...x, ...x])).holds).toBe(false);
    expect(
      riseThenFall([
        [1, 1],
        [0.5, 0.5],
        [0, 0],
      ]).holds,
    ).toBe(false);
    // Drop 0.05 with paired differences 0.5, −0.4: SE 0.45 > 0.05.
    expect(
      riseThenFall([
        [0, 0],
        [1, 1],
        [0.5, 1.4],
      ]).holds,
    ).toBe(false);
  });

  it('a saturated curve whose "drop" is float rounding with SE 0 does not rise then fall', () => {
    const top = 0.1 + 0.2; // 0.30000000000000004: one ulp above 0.3
    expect(top).toBeGreaterThan(0.3);
    const peak = Float64Array.from([top, top]);
    const tail = Float64Array.from([0.3, 0.3]);
    const shape = riseThenFall([new Float64Array([0, 0]), peak, tail]);
    expect(shape.peakIndex).toBe(1);
    expect(shape.drop).toBeGreaterThan(0);
    expect(shape.dropSe).toBe(0);
    expect(shape.holds).toBe(false);
  });

  it('Spearman ρ: 1 for any increasing relation, −1 reversed, 0.8 with one adjacent swap of four', () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 64])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    // 1 − 6·Σd²/(n(n² − 1)) = 1 − 6·2/60
    expect(spearman([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 2, 3], [5, 5, 5])).toBeNaN();
    expect(spearman([1, 2, 3], [1, Number.NaN, 3])).toBeNaN();
  });
});

describe('scoring a best-of-n pool', () => {
  it('scores each distinct (prompt, completion) once and copies it to the repeats', () => {
    const seen: string[] = [];
    const scorer = {
      score: (items: readonly { prompt: string; completion: string }[]) => {
        seen.push(...items.map((i) => i.prompt + i.completion));
        return Float64Array.from(items, (i) => i.completion.length);
      },
    };
    const pool = ['7', '12', '7', '7', '12'].map((completion) => ({ prompt: '3+4=', completion }));
    expect(Array.from(scoreDistinct(scorer, [...pool, { prompt: '5+7=', completion: '7' }]))).toEqual([
      1, 2, 1, 1, 2, 1,
    ]);
    expect(seen).toEqual(['3+4=7', '3+4=12', '5+7=7']);
  });
});

describe('overoptimization initial policy', () => {
  it("atTemperature: a copy whose logits are the base model's divided by T; the base is untouched", async () => {
    await initBackend();
    const tokenizer = trainTokenizer('char', ['0123456789+= ab']);
    const model = createTransformer(
      { vocabSize: tokenizer.vocabSize, contextLength: 8, width: 16, heads: 2, layers: 1 },
      { seed: 3 },
    );
    const tokens = [[1, 2, 3, 4]];
    const before = Array.from(model.forward(tokens).dataSync());
    const hot = atTemperature({ model, tokenizer, corpus: undefined as never }, 2);
    const scaled = Array.from(hot.model.forward(tokens).dataSync());
    const after = Array.from(model.forward(tokens).dataSync());
    hot.dispose();
    expect(after).toEqual(before);
    // Halving the head's weights halves every logit (exactly, up to the matmul's own rounding).
    for (const [i, x] of before.entries()) expect(scaled[i]).toBeCloseTo(x / 2, 5);
    model.dispose();
  });
});

describe('overoptimization checks on stored summaries', () => {
  const labels = [25, 100, 300, 1000];
  const config = validateConfig(overoptimizationExperiment, {
    ...(structuredClone(overoptimizationExperiment.quick) as PlainObject),
  }) as { labels: number[] };
  const run = (seed: number, summary: Record<string, unknown>) => ({
    seed,
    power: undefined,
    config,
    result: { specified: 0, intended: 0, summary } as RunResult,
  });
  const dStars = (values: (number | null)[]) =>
    Object.fromEntries(labels.flatMap((n, i) => [[`bon/N=${n}/dStar`, values[i]]]));

  it('passes d* growing with N, and fails it when one d* is null (stored NaN or ∞), never passing it', () => {
    expect(config.labels).toEqual(labels);
    const ok = checkClaim(overoptimizationExperiment, [run(0, dStars([0.5, 0.8, 1.1, 1.6]))]).checks;
    const byName = (cs: typeof ok) => cs.find((c) => c.name.startsWith('best-of-n: Spearman'))!;
    expect(byName(ok).passed).toBe(true);
    expect(byName(ok).value).toBe(1);
    // JSON stores NaN and ∞ as null: a null must not read as 0.
    const missing = checkClaim(overoptimizationExperiment, [run(0, dStars([0.5, 0.8, null, 1.6]))]).checks;
    expect(byName(missing).passed).toBe(false);
    expect(byName(missing).value).toBeNaN();
  });

  it('gates: reward-model truth agreement ≥ 0.75 at the largest N and rising with N; a null fails', () => {
    const agreements = (values: (number | null)[]) =>
      Object.fromEntries(labels.map((n, i) => [`rm/N=${n}/truthAgreement`, values[i]]));
    const gates = (values: (number | null)[]) =>
      overoptimizationExperiment.gates!([
        run(0, { sftGreedyAccuracyAddSub: 0.99, ...agreements(values) }),
      ] as never);
    const [sft, top, trend] = gates([0.7, 0.74, 0.78, 0.8]);
    expect(sft.passed && top.passed && trend.passed).toBe(true);
    expect(trend.value).toBe(1);
    // High but falling with N: the trend gate fails.
    expect(gates([0.85, 0.82, 0.8, 0.78])[2].passed).toBe(false);
    // Below 0.75 at the largest N.
    expect(gates([0.6, 0.65, 0.7, 0.72])[1].passed).toBe(false);
    expect(gates([0.7, 0.74, null, 0.8])[2].passed).toBe(false);
    // The proxy must also order the policy's own held-out pairs (the optimized distribution).
    const withPool = (pool: number | null) =>
      overoptimizationExperiment.gates!([
        run(0, {
          sftGreedyAccuracyAddSub: 0.99,
          ...agreements([0.7, 0.74, 0.78, 0.8]),
          [`rm/N=${labels[labels.length - 1]}/poolAgreement`]: pool,
        }),
      ] as never)[3];
    expect(withPool(0.8).passed).toBe(true);
    expect(withPool(0.5).passed).toBe(false);
    expect(withPool(null).passed).toBe(false);
  });

  it('starting policy: noisy base on +/− at temperature 1.5 by default; competent base and all questions selectable; others rejected', () => {
    const cfg = validateConfig(overoptimizationExperiment, {}) as {
      base: string;
      questions: string;
      policyTemperature: number;
    };
    expect([cfg.base, cfg.questions, cfg.policyTemperature]).toEqual(['noisy', 'add-sub', 1.5]);
    const competent = validateConfig(overoptimizationExperiment, { base: 'competent', questions: 'all' }) as {
      base: string;
      questions: string;
    };
    expect([competent.base, competent.questions]).toEqual(['competent', 'all']);
    expect(() => validateConfig(overoptimizationExperiment, { base: 'tiny' })).toThrow();
    expect(() => validateConfig(overoptimizationExperiment, { questions: 'mul' })).toThrow();
    expect(() => validateConfig(overoptimizationExperiment, { policyTemperature: 0 })).toThrow();
  });

  it('the competence gate reads greedy +/− accuracy (≥ 0.95), not sampled accuracy', () => {
    const good = Object.fromEntries(labels.map((n) => [`rm/N=${n}/truthAgreement`, 0.8]));
    const sftGate = (summary: Record<string, unknown>) =>
      overoptimizationExperiment.gates!([run(0, { ...good, ...summary })] as never)[0];
    // The noisy base samples a near miss often (sampled 0.45) while its argmax is right.
    expect(sftGate({ sftGreedyAccuracyAddSub: 0.975, sftAccuracyAddSub: 0.45 }).passed).toBe(true);
    expect(sftGate({ sftGreedyAccuracyAddSub: 0.93, sftAccuracyAddSub: 0.99 }).passed).toBe(false);
  });

  it('counts the share of seeds whose gold rises then falls: 4 of 5 passes 0.8, 3 of 5 does not', () => {
    const share = (flags: number[]) =>
      checkClaim(
        overoptimizationExperiment,
        flags.map((f, seed) => run(seed, { 'bon/N=25/risesThenFalls': f })),
      ).checks.find((c) => c.name.startsWith('best-of-n, N=25: share'))!;
    expect(share([1, 1, 1, 1, 0]).passed).toBe(true);
    expect(share([1, 1, 1, 0, 0]).passed).toBe(false);
    expect(share([1, 1, 1, 0, 0]).value).toBeCloseTo(0.6, 12);
  });
});

describe('overoptimization runs', () => {
  const quick = structuredClone(overoptimizationExperiment.quick) as PlainObject;
  // A smaller config than quick mode (the claim itself is `reproduce`'s report, not asserted here).
  const small = {
    ...quick,
    labels: [40, 80],
    bestOfN: [1, 2, 4, 8, 16],
    bonPool: 32,
    bonPrompts: 8,
    ppo: { steps: 4, batchSize: 16 },
    ppoCheckpoints: 3,
    evalPrompts: 12,
    verifyPairs: 100,
  };

  it('a small run: best-of-n proxy never falls with n, gold within [−1, 1], agreements in [0, 1], a passed check or gate has a finite value', {
    timeout: 400_000,
  }, async () => {
    const config = validateConfig(overoptimizationExperiment, structuredClone(small));
    const { result, metrics } = await runExperimentInProcess(overoptimizationExperiment, config, 7);
    const s = result.summary as Record<string, number>;
    // E[max of k] over random k-subsets of one pool cannot fall as k grows: exact, on any CPU
    // (up to float rounding of the weights, hence the 1e-9).
    const specified = metrics.values.filter((_, i) => metrics.names[i] === 'specified');
    expect(specified.length).toBe(5);
    for (let i = 1; i < specified.length; i++)
      expect(specified[i]).toBeGreaterThanOrEqual(specified[i - 1] - 1e-9);
    expect(s['pool/missingMass']).toBeGreaterThanOrEqual(0);
    expect(s['pool/missingMass']).toBeLessThan(0.05);
    for (const n of (config as { labels: number[] }).labels) {
      for (const m of ['bon', 'rl']) {
        expect(Number.isFinite(s[`${m}/N=${n}/topD`])).toBe(true);
        expect([0, 1]).toContain(s[`${m}/N=${n}/risesThenFalls`]);
      }
      for (const key of ['truthAgreement', 'poolAgreement']) {
        expect(s[`rm/N=${n}/${key}`]).toBeGreaterThanOrEqual(0);
        expect(s[`rm/N=${n}/${key}`]).toBeLessThanOrEqual(1);
      }
    }
    expect(Math.abs(result.intended)).toBeLessThanOrEqual(1);
    const run = [{ seed: 7, power: undefined, config, result }];
    const { checks } = checkClaim(overoptimizationExperiment, run);
    expect(checks.length).toBe(6);
    const gates = overoptimizationExperiment.gates?.(run) ?? [];
    expect(gates.length).toBe(4);
    for (const c of [...checks, ...gates]) if (c.passed) expect(Number.isFinite(c.value), c.name).toBe(true);
  });

  it('control proxy := gold: the rise-then-fall checks fail (best-of-n gold cannot fall), and there is no gap', {
    timeout: 300_000,
  }, async () => {
    const config = validateConfig(overoptimizationExperiment, { ...structuredClone(small), proxy: 'gold' });
    const { result } = await runExperimentInProcess(overoptimizationExperiment, config, 7);
    const s = result.summary as Record<string, number>;
    expect(s['bon/N=40/risesThenFalls']).toBe(0);
    expect(s['bon/N=40/gapAtTop']).toBe(0);
    const { checks } = checkClaim(overoptimizationExperiment, [
      { seed: 7, power: undefined, config, result },
    ]);
    const bon = checks.find((c) => c.name.startsWith('best-of-n, N=40: share'))!;
    expect(bon.passed).toBe(false);
    expect(checks.filter((c) => c.name.includes('gap')).every((c) => !c.passed)).toBe(true);
  });

  it('same seed, same machine: identical summaries', { timeout: 300_000 }, async () => {
    const config = validateConfig(overoptimizationExperiment, structuredClone(small));
    const a = await runExperimentInProcess(overoptimizationExperiment, config, 11);
    const b = await runExperimentInProcess(overoptimizationExperiment, config, 11);
    expect(b.result).toEqual(a.result);
  });
});
