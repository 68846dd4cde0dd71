import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  agreementWithTruth,
  BoltzmannRater,
  confidenceBias,
  lengthBias,
  majority,
  RaterPanel,
  sigmoid,
  statedBelief,
  sycophancyBias,
  type TrueUtility,
} from '../../src/feedback/index.js';

// Truth for these tests: the number after "it is" equals 5.
const isFive: TrueUtility<string> = (_context, output) => (/\b5\b/.test(output) ? 1 : 0);

describe('BoltzmannRater', () => {
  it('prefers a with probability σ(β(u_a − u_b)): β=2, Δ=0.5 → σ(1) = 0.7310586', () => {
    const rater = new BoltzmannRater({ trueUtility: isFive, beta: 2, rng: new Rng(1) });
    expect(rater.preferenceProbability('q', 'It is 5.', 'It is 6.')).toBeCloseTo(sigmoid(2), 12);
    const half = new BoltzmannRater({
      trueUtility: (_c, o: string) => (o === 'x' ? 1 : 0.5),
      beta: 2,
      rng: new Rng(1),
    });
    expect(half.preferenceProbability('q', 'x', 'y')).toBeCloseTo(0.7310586, 6);
  });

  it('samples choices at that rate (β=1, Δ=1: 73.1% over 20,000 draws)', () => {
    const rater = new BoltzmannRater({ trueUtility: isFive, beta: 1, rng: new Rng(7) });
    let a = 0;
    for (let i = 0; i < 20_000; i++) if (rater.judge('q', 'It is 5.', 'It is 6.').choice === 'a') a++;
    expect(a / 20_000).toBeCloseTo(0.731, 2);
  });

  it('with β = ∞ always picks the truly better output, and reports its choice probability', async () => {
    const rater = new BoltzmannRater({
      trueUtility: isFive,
      beta: Number.POSITIVE_INFINITY,
      rng: new Rng(2),
    });
    for (let i = 0; i < 50; i++) {
      expect(await rater.compare('q', 'It is 6.', 'It is 5.')).toEqual({ choice: 'b', confidence: 1 });
    }
  });

  it('says tie when perceived utilities are within the tie threshold', () => {
    const rater = new BoltzmannRater({ trueUtility: isFive, beta: 3, tieThreshold: 0, rng: new Rng(3) });
    expect(rater.judge('q', 'It is 6.', 'It is 7.').choice).toBe('tie');
  });

  it('flips labels with probability ε: ε = 1 always disagrees with a rational rater, ε = 0.2 agrees ≈ 80%', () => {
    const always = new BoltzmannRater({
      trueUtility: isFive,
      beta: Number.POSITIVE_INFINITY,
      flipProbability: 1,
      rng: new Rng(4),
    });
    expect(always.judge('q', 'It is 5.', 'It is 6.')).toEqual({ choice: 'b', confidence: 1 });
    const slips = new BoltzmannRater({
      trueUtility: isFive,
      beta: Number.POSITIVE_INFINITY,
      flipProbability: 0.2,
      rng: new Rng(5),
    });
    let right = 0;
    for (let i = 0; i < 10_000; i++) if (slips.judge('q', 'It is 5.', 'It is 6.').choice === 'a') right++;
    expect(right / 10_000).toBeCloseTo(0.8, 1);
    // The reported confidence includes the slips: a right label has P = 0.8, a flipped one 0.2.
    const judged = slips.judge('q', 'It is 5.', 'It is 6.');
    expect(judged.confidence).toBeCloseTo(judged.choice === 'a' ? 0.8 : 0.2, 12);
  });

  it('rejects a negative β and an ε outside [0, 1]', () => {
    expect(() => new BoltzmannRater({ trueUtility: isFive, beta: -1, rng: new Rng(0) })).toThrow(/beta/);
    expect(
      () => new BoltzmannRater({ trueUtility: isFive, beta: 1, flipProbability: 1.5, rng: new Rng(0) }),
    ).toThrow(/flipProbability/);
  });

  it('is reproducible from its seed', () => {
    const labels = (seed: number) => {
      const rater = new BoltzmannRater({ trueUtility: isFive, beta: 0.5, rng: new Rng(seed) });
      return Array.from({ length: 30 }, () => rater.judge('q', 'It is 5.', 'It is 6.').choice).join('');
    };
    expect(labels(9)).toBe(labels(9));
    expect(labels(9)).not.toBe(labels(10));
  });
});

describe('biases', () => {
  it('confidence bias: bonus for "sure", none for "maybe" or "guess"', () => {
    const bias = confidenceBias(1.5);
    expect(bias.perceived('q', "I'm sure it is 6.")).toBe(1.5);
    expect(bias.perceived('q', 'Maybe it is 5.')).toBe(0);
    expect(bias.perceived('q', 'I guess it is 5.')).toBe(0);
    expect(bias.perceived('q', 'I am not sure, it is 5.')).toBe(0);
  });

  it('a confident wrong answer can beat a hedged right one: Δ = 1 − 1.5, β = 2 → P(right) = σ(−1) = 0.2689414', () => {
    const rater = new BoltzmannRater({
      trueUtility: isFive,
      beta: 2,
      biases: [confidenceBias(1.5)],
      rng: new Rng(0),
    });
    expect(rater.preferenceProbability('q', 'Maybe it is 5.', "I'm sure it is 6.")).toBeCloseTo(0.2689414, 6);
  });

  it('length bias: a bonus per word or per character', () => {
    expect(lengthBias(0.1).perceived('q', 'one two  three')).toBeCloseTo(0.3, 12);
    expect(lengthBias(0.01, 'char').perceived('q', 'abcd')).toBeCloseTo(0.04, 12);
  });

  it('sycophancy: bonus when the output agrees with the belief stated in the prompt, as a whole word', () => {
    const bias = sycophancyBias(2);
    const context = 'What is 2 + 3? I think it is 6.';
    expect(statedBelief(context)).toBe('6');
    expect(bias.perceived(context, "I'm sure it is 6.")).toBe(2);
    expect(bias.perceived(context, 'It is 5.')).toBe(0);
    expect(bias.perceived(context, 'It is 16.')).toBe(0);
    expect(bias.perceived('What is 2 + 3?', 'It is 6.')).toBe(0);
  });
});

describe('RaterPanel', () => {
  const rational = (biases: ReturnType<typeof confidenceBias>[], seed: number) =>
    new BoltzmannRater({ trueUtility: isFive, beta: Number.POSITIVE_INFINITY, biases, rng: new Rng(seed) });

  it('returns every member’s label and the majority (two biased members outvote one honest one)', async () => {
    const panel = new RaterPanel([
      rational([], 1),
      rational([confidenceBias(3)], 2),
      rational([confidenceBias(3)], 3),
    ]);
    const each = await panel.compareEach('q', 'Maybe it is 5.', "I'm sure it is 6.");
    expect(each.map((j) => j.choice)).toEqual(['a', 'b', 'b']);
    expect(await panel.compare('q', 'Maybe it is 5.', "I'm sure it is 6.")).toEqual({
      choice: 'b',
      confidence: 2 / 3,
    });
  });

  it('majority: equal votes make a tie; ties abstain', () => {
    expect(majority([{ choice: 'a' }, { choice: 'b' }]).choice).toBe('tie');
    expect(majority([{ choice: 'a' }, { choice: 'tie' }, { choice: 'tie' }])).toEqual({
      choice: 'a',
      confidence: 1,
    });
  });
});

describe('agreementWithTruth', () => {
  it('scores labels against the truth; truth-ties are left out, rater ties count ½', () => {
    const result = agreementWithTruth([
      { choice: 'a', utilityA: 1, utilityB: 0 }, // right
      { choice: 'a', utilityA: 0, utilityB: 1 }, // wrong
      { choice: 'tie', utilityA: 1, utilityB: 0 }, // half
      { choice: 'b', utilityA: 1, utilityB: 1 }, // truth has no preference: not counted
    ]);
    expect(result).toEqual({ agreement: 1.5 / 3, counted: 3, ties: 1 });
  });
});
