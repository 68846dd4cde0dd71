import { describe, expect, it } from 'vitest';
import {
  normalCdf,
  offSwitchValue,
  parseMixture,
  sampleGaussianBelief,
} from '../../../src/align/assistance/off-switch.js';
import { Rng } from '../../../src/core/rng.js';

const gaussian = (mu: number, sigma: number) => ({ kind: 'gaussian' as const, mu, sigma });

describe('off-switch game', () => {
  it('pins the reference incentives to defer for a rational human (issue 16)', () => {
    // Δ = μΦ(μ/σ) + σφ(μ/σ) − max(μ, 0): φ(0) = 0.39894; the other two by hand from tables.
    expect(offSwitchValue(gaussian(0, 1)).delta).toBeCloseTo(0.39894, 4);
    expect(offSwitchValue(gaussian(0.25, 1)).delta).toBeCloseTo(0.28634, 4);
    expect(offSwitchValue(gaussian(0.75, 1)).delta).toBeCloseTo(0.13117, 4);
  });

  it('Φ matches table values', () => {
    // Standard normal table: Φ(1) = 0.841345, Φ(-1.96) = 0.024998.
    expect(normalCdf(1)).toBeCloseTo(0.841345, 6);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024998, 6);
  });

  it('a certain robot (σ = 0) has no incentive to defer', () => {
    // Theorem 1: Δ = 0 when the belief is sure of U's sign.
    expect(offSwitchValue(gaussian(0.5, 0)).delta).toBe(0);
    expect(offSwitchValue(gaussian(-0.5, 0)).delta).toBe(0);
  });

  it('the Boltzmann human by quadrature tends to the rational one as β grows', () => {
    const rational = offSwitchValue(gaussian(0.25, 1)).delta;
    const sharp = offSwitchValue(gaussian(0.25, 1), { beta: 1000 });
    expect(sharp.method).toBe('quadrature');
    expect(Math.abs(sharp.delta - rational)).toBeLessThan(1e-3);
  });

  it('a noisy human (small β) makes deferring harmful: Δ < 0 and the robot acts', () => {
    // β → 0: E[sigmoid(βU)U] ≈ μ/2 + β(μ²+σ²)/4 = 0.375 + 0.0195 at β = 0.05, far below μ = 0.75.
    const noisy = offSwitchValue(gaussian(0.75, 1), { beta: 0.05 });
    expect(noisy.delta).toBeLessThan(-0.3);
    expect(noisy.action).toBe('act');
  });

  it('a mixture of one component equals the Gaussian; two components add linearly', () => {
    const single = offSwitchValue({ kind: 'mixture', components: [{ weight: 2, mu: 0.25, sigma: 1 }] });
    expect(single.delta).toBeCloseTo(0.28634, 4);
    // A belief sure of U = +1 or U = −1 (σ = 0), equally: wait = 0.5, act = 0: Δ = 0.5.
    const split = offSwitchValue({
      kind: 'mixture',
      components: [
        { weight: 1, mu: 1, sigma: 0 },
        { weight: 1, mu: -1, sigma: 0 },
      ],
    });
    expect(split.delta).toBeCloseTo(0.5, 12);
  });

  it('Monte Carlo on seeded samples approaches the exact value', () => {
    const values = sampleGaussianBelief(new Rng(3), 0.25, 1, 200_000);
    // Standard error of E[max(U,0)] − max(E[U],0) at 200k draws is about 0.002.
    expect(Math.abs(offSwitchValue({ kind: 'samples', values }).delta - 0.28634)).toBeLessThan(0.01);
  });

  it('parses mixtures and names the bad component', () => {
    expect(parseMixture('0.5:1:0,0.5:-1:0')).toEqual([
      { weight: 0.5, mu: 1, sigma: 0 },
      { weight: 0.5, mu: -1, sigma: 0 },
    ]);
    expect(parseMixture('1:2')).toMatch(/component 1/);
    expect(parseMixture('1:0:-1')).toMatch(/sigma/);
  });
});
