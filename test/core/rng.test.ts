import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';

describe('Rng', () => {
  it('reproduces the same stream from the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = new Rng(seed);
        const b = new Rng(seed);
        for (let i = 0; i < 20; i++) expect(a.nextUint32()).toBe(b.nextUint32());
      }),
    );
  });

  it('gives different streams for different seeds', () => {
    expect(new Rng(1).nextUint32()).not.toBe(new Rng(2).nextUint32());
  });

  it('draws floats in [0, 1) with mean near 1/2', () => {
    const rng = new Rng(7);
    let sum = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) throw new Error(`out of range: ${x}`);
      sum += x;
    }
    // Standard error of the mean is 1/sqrt(12 * 1e5) ≈ 0.0009; 0.005 is > 5 sigma.
    expect(Math.abs(sum / 100_000 - 0.5)).toBeLessThan(0.005);
  });

  it('draws integers uniformly in [0, n)', () => {
    const rng = new Rng(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) counts[rng.int(5)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('splits into children that are reproducible and differ from the parent', () => {
    const parentA = new Rng(11);
    const parentB = new Rng(11);
    const childA = parentA.split();
    const childB = parentB.split();
    expect(childA.nextUint32()).toBe(childB.nextUint32());
    expect(parentA.nextUint32()).toBe(parentB.nextUint32());
    expect(new Rng(11).derive('worker-1').nextUint32()).not.toBe(new Rng(11).derive('worker-2').nextUint32());
  });

  it('round-trips its state', () => {
    const rng = new Rng(5);
    rng.next();
    const copy = Rng.fromState(rng.state());
    expect(copy.nextUint32()).toBe(rng.nextUint32());
  });

  it('rejects an invalid range', () => {
    expect(() => new Rng(1).int(0)).toThrow(/n must be/);
  });
});
