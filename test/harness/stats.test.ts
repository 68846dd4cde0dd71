// Epoch reduction, standard errors, errors counted apart, McNemar's exact test.
import { describe, expect, it } from 'vitest';
import { comparePaired, mcnemarExact, standardError, summarize } from '../../src/harness/stats.js';
import type { SampleRecord } from '../../src/harness/types.js';

function rec(
  id: string,
  epoch: number,
  value: number | null,
  status: 'scored' | 'error' = 'scored',
): SampleRecord {
  return {
    id,
    epoch,
    status,
    input: id,
    output: '',
    messages: [],
    scores: status === 'scored' ? { s: { value } } : {},
    passed: status === 'scored' && value !== null ? value === 1 : null,
    calls: 1,
    attempts: 1,
    cachedCalls: 0,
    tokens: 0,
    ms: 0,
  };
}

const scorer = [{ name: 's', binary: true, higherIsBetter: true }];

describe('summaries', () => {
  it('reduces epochs to one mean per item, then averages items', () => {
    // Item a: 1, 1, 0 → 2/3; item b: 0, 0, 0 → 0; mean over items 1/3.
    const samples = [
      rec('a', 1, 1),
      rec('a', 2, 1),
      rec('a', 3, 0),
      rec('b', 1, 0),
      rec('b', 2, 0),
      rec('b', 3, 0),
    ];
    const s = summarize(samples, scorer);
    expect(s.scores[0].items).toBe(2);
    expect(s.scores[0].mean).toBeCloseTo(1 / 3, 12);
    // sd of (2/3, 0) = √(2/9) ; SE = sd/√2 = 1/3.
    expect(s.scores[0].se).toBeCloseTo(1 / 3, 12);
    expect(s.verdict).toBe('measured');
  });

  it('leaves errors and not-applicable samples out of the score and counts them apart', () => {
    const s = summarize([rec('a', 1, 1), rec('b', 1, null), rec('c', 1, 0, 'error'), rec('d', 1, 0)], scorer);
    expect(s.counts).toMatchObject({
      total: 4,
      scored: 3,
      errored: 1,
      passed: 1,
      failed: 1,
      notApplicable: 1,
    });
    expect(s.scores[0]).toMatchObject({ items: 2, mean: 0.5 });
  });

  it('is inconclusive below a competence gate', () => {
    const s = summarize([rec('a', 1, 0), rec('b', 1, 0)], scorer, {}, 0, [
      { scorer: 's', min: 0.8, why: 'competent' },
    ]);
    expect(s.verdict).toBe('inconclusive');
    expect(s.gates[0]).toMatchObject({ value: 0, met: false });
  });

  it('standard error of (1, 2, 3, 4): sd 1.291 / 2', () => {
    expect(standardError([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3) / 2, 12);
  });
});

describe('paired comparison', () => {
  it("McNemar's exact p by hand: b=0, c=5 → 2·(1/32) = 0.0625; b=c → 1", () => {
    expect(mcnemarExact(0, 5)).toBeCloseTo(0.0625, 12);
    expect(mcnemarExact(3, 3)).toBe(1);
    // b=1, c=9: 2·(1 + 10)/1024 = 0.021484375.
    expect(mcnemarExact(1, 9)).toBeCloseTo(22 / 1024, 12);
  });

  it('differences B − A on shared items, with McNemar counts', () => {
    const a = ['1', '2', '3', '4'].map((id) => rec(id, 1, 0));
    const b = ['1', '2', '3', '4'].map((id, i) => rec(id, 1, i < 3 ? 1 : 0));
    const c = comparePaired(a, b, 's', true);
    expect(c).toMatchObject({ items: 4, meanA: 0, meanB: 0.75, difference: 0.75 });
    expect(c.mcnemar).toMatchObject({ aOnly: 0, bOnly: 3 });
    expect(c.ci?.lo).toBeGreaterThanOrEqual(0);
  });
});
