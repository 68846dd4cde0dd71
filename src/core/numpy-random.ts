/**
 * numpy's legacy `RandomState` (MT19937) reproduced draw for draw.
 *
 * AI Safety Gridworlds draws all randomness from numpy's global `np.random`. To replay an
 * ASG episode exactly we need the same generator: Matsumoto & Nishimura's MT19937 seeded as
 * `np.random.seed(n)` seeds it (init_genrand), `random_sample()` as numpy builds a 53-bit
 * double from two 32-bit outputs, and `randint`/`choice` as legacy RandomState bounds
 * integers (mask to the next power of two, reject and redraw).
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class NumpyRandomState {
  /** The 624-word MT19937 key followed by the position: the whole generator state. */
  private readonly mt = new Uint32Array(N);
  private pos = N;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** As `np.random.seed(seed)` for an integer seed in [0, 2^32). */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`NumpyRandomState.seed: seed must be an integer in [0, 2^32 - 1], got ${seed}`);
    }
    const mt = this.mt;
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      mt[i] = s;
      const x = s ^ (s >>> 30);
      // 1812433253 * x mod 2^32, split to stay exact in doubles.
      s = ((((x & 0xffff0000) >>> 16) * 1812433253) << 16) + (x & 0x0000ffff) * 1812433253 + i + 1;
      s >>>= 0;
    }
    this.pos = N;
  }

  /** The next raw 32-bit output (numpy's `mt19937_next32`). */
  nextUint32(): number {
    if (this.pos >= N) this.generate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `np.random.random_sample()` / `np.random.rand()`: a double in [0, 1) from 53 bits. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `np.random.randint(low, high)`: an integer in [low, high) (range below 2^32). */
  randint(low: number, high: number): number {
    const range = high - low - 1;
    if (range < 0) throw new RangeError(`NumpyRandomState.randint: low >= high (${low}, ${high})`);
    if (range === 0) return low;
    let mask = range;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    for (;;) {
      const value = (this.nextUint32() & mask) >>> 0;
      if (value <= range) return low + value;
    }
  }

  /** `np.random.choice(items)` for a list, uniform and with replacement: one element. */
  choice<T>(items: readonly T[]): T {
    return items[this.randint(0, items.length)];
  }

  /** The generator state: 624 key words then the position, for snapshots. */
  saveState(out: Uint32Array = new Uint32Array(N + 1)): Uint32Array {
    out.set(this.mt);
    out[N] = this.pos;
    return out;
  }

  loadState(state: Uint32Array): void {
    if (state.length !== N + 1) throw new RangeError(`NumpyRandomState.loadState: expected ${N + 1} words`);
    this.mt.set(state.subarray(0, N));
    this.pos = state[N];
  }

  static readonly stateLength = N + 1;

  private generate(): void {
    const mt = this.mt;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; i < N - 1; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.pos = 0;
  }
}
