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
const INV_2_53 = 1 / 9007199254740992;
const M = 397;
// As int32 constants (the top bit set makes them negative), so V8 never leaves int32 arithmetic.
const MATRIX_A = 0x9908b0df | 0;
const UPPER_MASK = 0x80000000 | 0;
const LOWER_MASK = 0x7fffffff;
const TEMPER_B = 0x9d2c5680 | 0;
const TEMPER_C = 0xefc60000 | 0;

export class NumpyRandomState {
  /** The 624-word MT19937 key (as int32: V8 keeps these as small integers, not doubles). */
  private readonly mt = new Int32Array(N);
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
      mt[i] = s | 0;
      const x = s ^ (s >>> 30);
      // 1812433253 * x mod 2^32, split to stay exact in doubles.
      s = ((((x & 0xffff0000) >>> 16) * 1812433253) << 16) + (x & 0x0000ffff) * 1812433253 + i + 1;
      s >>>= 0;
    }
    this.pos = N;
  }

  /** The next raw 32-bit output (numpy's `mt19937_next32`). */
  nextUint32(): number {
    return this.nextInt32() >>> 0;
  }

  /** The next output's bits as an int32 (tempering stays in small-integer arithmetic). */
  private nextInt32(): number {
    if (this.pos >= N) this.generate();
    let y = this.mt[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & TEMPER_B;
    y ^= (y << 15) & TEMPER_C;
    return y ^ (y >>> 18);
  }

  /** `np.random.random_sample()` / `np.random.rand()`: a double in [0, 1) from 53 bits. */
  randomSample(): number {
    const a = this.nextInt32() >>> 5;
    const b = this.nextInt32() >>> 6;
    // Multiplying by 2^-53 is exact, like numpy's division by 2^53.
    return (a * 67108864 + b) * INV_2_53;
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
      const value = (this.nextInt32() & mask) >>> 0;
      if (value <= range) return low + value;
    }
  }

  /** `np.random.choice(items)` for a list, uniform and with replacement: one element. */
  choice<T>(items: readonly T[]): T {
    return items[this.randint(0, items.length)];
  }

  /** The generator state: 624 key words then the position, for snapshots. */
  saveState(out: Uint32Array = new Uint32Array(N + 1)): Uint32Array {
    out.set(new Uint32Array(this.mt.buffer, this.mt.byteOffset, N));
    out[N] = this.pos;
    return out;
  }

  loadState(state: Uint32Array): void {
    if (state.length !== N + 1) throw new RangeError(`NumpyRandomState.loadState: expected ${N + 1} words`);
    this.mt.set(new Int32Array(state.buffer, state.byteOffset, N));
    this.pos = state[N];
  }

  static readonly stateLength = N + 1;

  private generate(): void {
    const mt = this.mt;
    let i = 0;
    let y: number;
    for (; i < N - M; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + M] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    for (; i < N - 1; i++) {
      y = (mt[i] & UPPER_MASK) | (mt[i + 1] & LOWER_MASK);
      mt[i] = mt[i + (M - N)] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    }
    y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
    mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (-(y & 1) & MATRIX_A);
    this.pos = 0;
  }
}
