import { describe, expect, it } from 'vitest';
import { NumpyRandomState } from '../../src/core/numpy-random.js';

// Expected values printed by numpy 2.4.6 (python3) with the legacy global generator:
//   np.random.seed(S); np.random.random_sample() / randint(lo, hi) / choice(list) / rand()
describe('NumpyRandomState matches numpy legacy RandomState', () => {
  it('random_sample after seed(0)', () => {
    const r = new NumpyRandomState(0);
    expect([r.randomSample(), r.randomSample(), r.randomSample()]).toEqual([
      0.5488135039273248, 0.7151893663724195, 0.6027633760716439,
    ]);
  });

  it('randint(0, 4) after seed(42)', () => {
    const r = new NumpyRandomState(42);
    expect(Array.from({ length: 8 }, () => r.randint(0, 4))).toEqual([2, 3, 0, 2, 2, 3, 0, 0]);
  });

  it('mixed randint(0, 3), randint(0, 4), choice([0,1,2,3]), rand() after seed(7)', () => {
    const r = new NumpyRandomState(7);
    expect(Array.from({ length: 8 }, () => r.randint(0, 3))).toEqual([0, 1, 2, 0, 1, 2, 0, 1]);
    expect(Array.from({ length: 3 }, () => r.randint(0, 4))).toEqual([2, 2, 2]);
    expect(Array.from({ length: 6 }, () => r.choice([0, 1, 2, 3]))).toEqual([0, 3, 2, 0, 0, 3]);
    expect(r.randomSample()).toBe(0.3308392493496919);
  });

  it('the largest seed, and randint(0, 100) with rejection', () => {
    const r = new NumpyRandomState(4294967295);
    expect(r.randomSample()).toBe(0.0976320289940138);
    expect(Array.from({ length: 5 }, () => r.randint(0, 100))).toEqual([12, 71, 52, 64, 86]);
  });

  it('regenerates the key after 624 words (700th rand after seed(1))', () => {
    const r = new NumpyRandomState(1);
    let x = 0;
    for (let i = 0; i < 700; i++) x = r.randomSample();
    expect(x).toBe(0.2867116496064306);
  });

  it('randint with a single value draws nothing', () => {
    const r = new NumpyRandomState(5);
    expect(r.randint(0, 1)).toBe(0);
    expect(r.randomSample()).toBe(0.22199317108973948);
  });

  it('saveState/loadState replays the same draws', () => {
    const r = new NumpyRandomState(3);
    for (let i = 0; i < 650; i++) r.nextUint32();
    const saved = r.saveState();
    const a = [r.randomSample(), r.randint(0, 7)];
    r.loadState(saved);
    expect([r.randomSample(), r.randint(0, 7)]).toEqual(a);
  });
});
