/**
 * The sparse judge of Irving, Christiano & Amodei (2018): a classifier that sees only a few
 * revealed pixels of a digit, as two 28×28 planes — a mask (1 where revealed) and the revealed
 * values (0 elsewhere) — and outputs the 10 digits' log-probabilities.
 *
 * The debaters query the judge thousands of times per move, on inputs with at most 6 of 784
 * pixels set, so inference here is a sparse evaluator on the trained weights (plain typed
 * arrays): it computes the net's activations on the empty board once, and for a set of revealed
 * pixels only what those pixels change — the conv-1 outputs in their 5×5 windows, the pooled
 * cells and conv-2 outputs those reach, and the dense layer's change from the pooled cells that
 * moved. The result equals the dense forward pass (test/oversight/mnist-judge.test.ts checks it
 * against src/nn's ConvNet). Training is src/nn's ConvNet (judge-train.ts).
 */
import { CLASSES, PIXELS, SIDE } from './data.js';

/** What a debate needs from a judge. */
export interface SparseJudge {
  /** Log-probabilities of the 10 digits given `pixels` (indices y·28 + x) of `image` revealed. */
  logProbs(pixels: ArrayLike<number>, image: ArrayLike<number>): Float64Array;
  /**
   * The first-order change of Σ_c weights[c]·logit_c from revealing each pixel p of `image`,
   * ∂/∂mask_p + image_p·∂/∂value_p, at the input with `pixels` revealed (784 numbers).
   */
  revealGradient(
    pixels: ArrayLike<number>,
    image: ArrayLike<number>,
    weights: ArrayLike<number>,
  ): Float64Array;
}

/** The judge on two planes, as the brief's interface: mask and values (784 each) → 10 log-probs. */
export function predict(
  judge: SparseJudge,
  mask: ArrayLike<number>,
  values: ArrayLike<number>,
): Float64Array {
  if (mask.length !== PIXELS || values.length !== PIXELS)
    throw new Error(
      `predict: mask and values must hold ${PIXELS} numbers, got ${mask.length} and ${values.length}`,
    );
  const pixels: number[] = [];
  for (let p = 0; p < PIXELS; p++) if (mask[p] !== 0) pixels.push(p);
  return judge.logProbs(pixels, values);
}

/** The conv judge's sizes: conv1 filters, conv2 filters, dense units (paper: 32, 64, 1024). */
export interface ConvJudgeShape {
  conv1: number;
  conv2: number;
  hidden: number;
}

/**
 * Weights in src/nn's layout (NHWC; conv filter [5, 5, in, out]; dense [in, out]; flatten in
 * (h, w, c) order). Input channel 0 is the mask, 1 the values.
 */
export interface ConvJudgeWeights extends ConvJudgeShape {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
  w3: Float32Array;
  b3: Float32Array;
  w4: Float32Array;
  b4: Float32Array;
}

const K = 5; // kernel size
const PAD = 2; // 'same' padding for a 5×5 kernel
const S1 = SIDE; // 28: conv-1 output side
const S2 = SIDE / 2; // 14: pool-1 and conv-2 output side
const S3 = SIDE / 4; // 7: pool-2 output side

export function convJudgeSizes(
  shape: ConvJudgeShape,
): Record<keyof Omit<ConvJudgeWeights, keyof ConvJudgeShape>, number> {
  const { conv1: c1, conv2: c2, hidden: h } = shape;
  return {
    w1: K * K * 2 * c1,
    b1: c1,
    w2: K * K * c1 * c2,
    b2: c2,
    w3: S3 * S3 * c2 * h,
    b3: h,
    w4: h * CLASSES,
    b4: CLASSES,
  };
}

export class ConvJudge implements SparseJudge {
  private readonly c1: number;
  private readonly c2: number;
  private readonly h: number;
  /** relu(b1): every pooled conv-1 cell on the empty board. */
  private readonly p1e: Float64Array;
  /** Conv-2 pre-activations on the empty board [14·14, c2] (they differ near the border). */
  private readonly z2e: Float64Array;
  /** Pool-2 outputs on the empty board [7·7, c2]. */
  private readonly p2e: Float64Array;
  /** Dense-1 pre-activations on the empty board [hidden]. */
  private readonly h1e: Float64Array;
  // Scratch, reused by every call (the judge is not re-entrant).
  private readonly z1: Float64Array;
  private readonly z1Stamp: Int32Array;
  private readonly d1: Float64Array;
  private readonly cell1Stamp: Int32Array;
  private readonly z2: Float64Array;
  private readonly z2Stamp: Int32Array;
  private readonly cell2Stamp: Int32Array;
  private readonly hidden: Float64Array;
  private stamp = 0;

  constructor(readonly weights: ConvJudgeWeights) {
    const sizes = convJudgeSizes(weights);
    for (const [name, size] of Object.entries(sizes)) {
      const got = (weights as unknown as Record<string, Float32Array>)[name]?.length;
      if (got !== size) throw new Error(`ConvJudge: weight '${name}' holds ${got} numbers, expected ${size}`);
    }
    const { conv1: c1, conv2: c2, hidden: h } = weights;
    this.c1 = c1;
    this.c2 = c2;
    this.h = h;
    this.p1e = Float64Array.from(weights.b1, (b) => Math.max(0, b));
    this.z2e = new Float64Array(S2 * S2 * c2);
    for (let y = 0; y < S2; y++)
      for (let x = 0; x < S2; x++) {
        const out = (y * S2 + x) * c2;
        for (let o = 0; o < c2; o++) this.z2e[out + o] = weights.b2[o];
        for (let ky = 0; ky < K; ky++) {
          const iy = y + ky - PAD;
          if (iy < 0 || iy >= S2) continue;
          for (let kx = 0; kx < K; kx++) {
            const ix = x + kx - PAD;
            if (ix < 0 || ix >= S2) continue;
            const tap = (ky * K + kx) * c1;
            for (let i = 0; i < c1; i++) {
              const a = this.p1e[i];
              if (a === 0) continue;
              const row = (tap + i) * c2;
              for (let o = 0; o < c2; o++) this.z2e[out + o] += a * weights.w2[row + o];
            }
          }
        }
      }
    this.p2e = new Float64Array(S3 * S3 * c2);
    for (let y = 0; y < S3; y++)
      for (let x = 0; x < S3; x++)
        for (let o = 0; o < c2; o++) {
          let m = 0; // relu ≥ 0
          for (let dy = 0; dy < 2; dy++)
            for (let dx = 0; dx < 2; dx++)
              m = Math.max(m, this.z2e[((2 * y + dy) * S2 + 2 * x + dx) * c2 + o]);
          this.p2e[(y * S3 + x) * c2 + o] = m;
        }
    this.h1e = Float64Array.from(weights.b3);
    for (let j = 0; j < this.p2e.length; j++) {
      const a = this.p2e[j];
      if (a === 0) continue;
      const row = j * h;
      for (let u = 0; u < h; u++) this.h1e[u] += a * weights.w3[row + u];
    }
    this.z1 = new Float64Array(PIXELS * c1);
    this.z1Stamp = new Int32Array(PIXELS);
    this.d1 = new Float64Array(S2 * S2 * c1);
    this.cell1Stamp = new Int32Array(S2 * S2);
    this.z2 = new Float64Array(S2 * S2 * c2);
    this.z2Stamp = new Int32Array(S2 * S2);
    this.cell2Stamp = new Int32Array(S3 * S3);
    this.hidden = new Float64Array(h);
  }

  /** Dense-1 pre-activations for the revealed pixels (the sparse forward up to the hidden layer). */
  private hiddenPreActivations(pixels: ArrayLike<number>, image: ArrayLike<number>): Float64Array {
    const { c1, c2, h, weights: w } = this;
    const stamp = ++this.stamp;
    // Conv 1: only outputs whose 5×5 window holds a revealed pixel differ from b1.
    const touched1: number[] = [];
    for (let n = 0; n < pixels.length; n++) {
      const p = pixels[n];
      const py = (p / SIDE) | 0;
      const px = p % SIDE;
      const v = image[p];
      for (let ky = 0; ky < K; ky++) {
        const oy = py - ky + PAD;
        if (oy < 0 || oy >= S1) continue;
        for (let kx = 0; kx < K; kx++) {
          const ox = px - kx + PAD;
          if (ox < 0 || ox >= S1) continue;
          const pos = oy * S1 + ox;
          const at = pos * c1;
          if (this.z1Stamp[pos] !== stamp) {
            this.z1Stamp[pos] = stamp;
            touched1.push(pos);
            for (let i = 0; i < c1; i++) this.z1[at + i] = w.b1[i];
          }
          const tap = (ky * K + kx) * 2 * c1;
          for (let i = 0; i < c1; i++) this.z1[at + i] += w.w1[tap + i] + v * w.w1[tap + c1 + i];
        }
      }
    }
    // Pool 1: the cells holding a touched output; d1 = pooled − pooled on the empty board.
    const cells1: number[] = [];
    for (const pos of touched1) {
      const cell = ((pos / S1) >> 1) * S2 + ((pos % S1) >> 1);
      if (this.cell1Stamp[cell] === stamp) continue;
      this.cell1Stamp[cell] = stamp;
      cells1.push(cell);
      const cy = (cell / S2) | 0;
      const cx = cell % S2;
      for (let i = 0; i < c1; i++) {
        let m = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const q = (2 * cy + dy) * S1 + 2 * cx + dx;
            const z = this.z1Stamp[q] === stamp ? this.z1[q * c1 + i] : w.b1[i];
            if (z > m) m = z;
          }
        this.d1[cell * c1 + i] = m - this.p1e[i];
      }
    }
    // Conv 2 (linear before its ReLU): add each changed cell's contribution to the outputs it reaches.
    const touched2: number[] = [];
    for (const cell of cells1) {
      const cy = (cell / S2) | 0;
      const cx = cell % S2;
      const d = cell * c1;
      for (let ky = 0; ky < K; ky++) {
        const oy = cy - ky + PAD;
        if (oy < 0 || oy >= S2) continue;
        for (let kx = 0; kx < K; kx++) {
          const ox = cx - kx + PAD;
          if (ox < 0 || ox >= S2) continue;
          const out = oy * S2 + ox;
          const at = out * c2;
          if (this.z2Stamp[out] !== stamp) {
            this.z2Stamp[out] = stamp;
            touched2.push(out);
            for (let o = 0; o < c2; o++) this.z2[at + o] = this.z2e[at + o];
          }
          const tap = (ky * K + kx) * c1;
          for (let i = 0; i < c1; i++) {
            const delta = this.d1[d + i];
            if (delta === 0) continue;
            const row = (tap + i) * c2;
            for (let o = 0; o < c2; o++) this.z2[at + o] += delta * w.w2[row + o];
          }
        }
      }
    }
    // Pool 2 and dense 1: start from the empty board's hidden layer, add the moved cells' change.
    const hidden = this.hidden;
    hidden.set(this.h1e);
    for (const out of touched2) {
      const cell = ((out / S2) >> 1) * S3 + ((out % S2) >> 1);
      if (this.cell2Stamp[cell] === stamp) continue;
      this.cell2Stamp[cell] = stamp;
      const cy = (cell / S3) | 0;
      const cx = cell % S3;
      for (let o = 0; o < c2; o++) {
        let m = 0;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const q = (2 * cy + dy) * S2 + 2 * cx + dx;
            const z = this.z2Stamp[q] === stamp ? this.z2[q * c2 + o] : this.z2e[q * c2 + o];
            if (z > m) m = z;
          }
        const j = cell * c2 + o;
        const delta = m - this.p2e[j];
        if (delta === 0) continue;
        const row = j * h;
        for (let u = 0; u < h; u++) hidden[u] += delta * w.w3[row + u];
      }
    }
    return hidden;
  }

  logProbs(pixels: ArrayLike<number>, image: ArrayLike<number>): Float64Array {
    const hidden = this.hiddenPreActivations(pixels, image);
    const { h, weights: w } = this;
    const logits = Float64Array.from(w.b4);
    for (let u = 0; u < h; u++) {
      const a = hidden[u];
      if (a <= 0) continue;
      const row = u * CLASSES;
      for (let c = 0; c < CLASSES; c++) logits[c] += a * w.w4[row + c];
    }
    return logSoftmax(logits);
  }

  revealGradient(
    pixels: ArrayLike<number>,
    image: ArrayLike<number>,
    weights: ArrayLike<number>,
  ): Float64Array {
    const { c1, c2, h, weights: w } = this;
    // Dense forward (the backward pass needs every activation and each pool's argmax).
    const mask = new Uint8Array(PIXELS);
    for (let n = 0; n < pixels.length; n++) mask[pixels[n]] = 1;
    const z1 = new Float64Array(PIXELS * c1);
    for (let pos = 0; pos < PIXELS; pos++) for (let i = 0; i < c1; i++) z1[pos * c1 + i] = w.b1[i];
    for (let n = 0; n < pixels.length; n++) {
      const p = pixels[n];
      const py = (p / SIDE) | 0;
      const px = p % SIDE;
      for (let ky = 0; ky < K; ky++) {
        const oy = py - ky + PAD;
        if (oy < 0 || oy >= S1) continue;
        for (let kx = 0; kx < K; kx++) {
          const ox = px - kx + PAD;
          if (ox < 0 || ox >= S1) continue;
          const tap = (ky * K + kx) * 2 * c1;
          const at = (oy * S1 + ox) * c1;
          for (let i = 0; i < c1; i++) z1[at + i] += w.w1[tap + i] + image[p] * w.w1[tap + c1 + i];
        }
      }
    }
    const [p1, arg1] = pool(z1, S1, c1);
    const z2 = new Float64Array(S2 * S2 * c2);
    for (let y = 0; y < S2; y++)
      for (let x = 0; x < S2; x++) {
        const at = (y * S2 + x) * c2;
        for (let o = 0; o < c2; o++) z2[at + o] = w.b2[o];
        forTaps(y, x, S2, (tap, src) => {
          for (let i = 0; i < c1; i++) {
            const a = p1[src * c1 + i];
            if (a === 0) continue;
            const row = (tap * c1 + i) * c2;
            for (let o = 0; o < c2; o++) z2[at + o] += a * w.w2[row + o];
          }
        });
      }
    const [p2, arg2] = pool(z2, S2, c2);
    const hidden = Float64Array.from(w.b3);
    for (let j = 0; j < p2.length; j++) {
      const a = p2[j];
      if (a === 0) continue;
      for (let u = 0; u < h; u++) hidden[u] += a * w.w3[j * h + u];
    }
    // Backward from Σ_c weights[c]·logit_c.
    const gHidden = new Float64Array(h);
    for (let u = 0; u < h; u++) {
      if (hidden[u] <= 0) continue;
      let g = 0;
      for (let c = 0; c < CLASSES; c++) g += weights[c] * w.w4[u * CLASSES + c];
      gHidden[u] = g;
    }
    const gZ2 = new Float64Array(S2 * S2 * c2);
    for (let j = 0; j < p2.length; j++) {
      if (p2[j] <= 0) continue; // relu: the pooled value is the max of relu'd outputs
      let g = 0;
      for (let u = 0; u < h; u++) g += gHidden[u] * w.w3[j * h + u];
      gZ2[arg2[j]] += g;
    }
    const gP1 = new Float64Array(S2 * S2 * c1);
    for (let y = 0; y < S2; y++)
      for (let x = 0; x < S2; x++) {
        const at = (y * S2 + x) * c2;
        forTaps(y, x, S2, (tap, src) => {
          for (let i = 0; i < c1; i++) {
            const row = (tap * c1 + i) * c2;
            let g = 0;
            for (let o = 0; o < c2; o++) g += gZ2[at + o] * w.w2[row + o];
            gP1[src * c1 + i] += g;
          }
        });
      }
    const gZ1 = new Float64Array(PIXELS * c1);
    for (let j = 0; j < p1.length; j++) if (p1[j] > 0) gZ1[arg1[j]] += gP1[j];
    const out = new Float64Array(PIXELS);
    for (let y = 0; y < S1; y++)
      for (let x = 0; x < S1; x++) {
        const at = (y * S1 + x) * c1;
        forTaps(y, x, S1, (tap, src) => {
          const row = tap * 2 * c1;
          let gMask = 0;
          let gValue = 0;
          for (let i = 0; i < c1; i++) {
            gMask += gZ1[at + i] * w.w1[row + i];
            gValue += gZ1[at + i] * w.w1[row + c1 + i];
          }
          out[src] += gMask + image[src] * gValue;
        });
      }
    return out;
  }
}

/** For the 5×5 'same' window of output (y, x) on a side×side map: the tap index and the input position. */
function forTaps(y: number, x: number, side: number, visit: (tap: number, src: number) => void): void {
  for (let ky = 0; ky < K; ky++) {
    const iy = y + ky - PAD;
    if (iy < 0 || iy >= side) continue;
    for (let kx = 0; kx < K; kx++) {
      const ix = x + kx - PAD;
      if (ix < 0 || ix >= side) continue;
      visit(ky * K + kx, iy * side + ix);
    }
  }
}

/** relu then 2×2 max-pool of z [side·side, c]: pooled values and the flat index of each maximum. */
function pool(z: Float64Array, side: number, c: number): [Float64Array, Int32Array] {
  const half = side / 2;
  const out = new Float64Array(half * half * c);
  const arg = new Int32Array(half * half * c);
  for (let y = 0; y < half; y++)
    for (let x = 0; x < half; x++)
      for (let o = 0; o < c; o++) {
        let m = 0;
        let at = (2 * y * side + 2 * x) * c + o;
        for (let dy = 0; dy < 2; dy++)
          for (let dx = 0; dx < 2; dx++) {
            const q = ((2 * y + dy) * side + 2 * x + dx) * c + o;
            if (z[q] > m) {
              m = z[q];
              at = q;
            }
          }
        out[(y * half + x) * c + o] = m;
        arg[(y * half + x) * c + o] = at;
      }
  return [out, arg];
}

export function logSoftmax(logits: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const z of logits) if (z > max) max = z;
  let sum = 0;
  for (const z of logits) sum += Math.exp(z - max);
  const lse = max + Math.log(sum);
  return logits.map((z) => z - lse);
}
