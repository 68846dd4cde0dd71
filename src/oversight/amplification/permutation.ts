/**
 * Permutation powering (Christiano, Shlegeris & Amodei 2018, §4): a permutation σ of {0..n−1};
 * the question (x, k) asks for σ^k(x), 1 ≤ k ≤ K.
 *
 * The overseer H is weak in the paper's sense: it can read σ, so it answers a base case
 * (k = 1) directly, and it can split any other question in two,
 *   σ^k(x) = σ^⌈k/2⌉(σ^⌊k/2⌋(x)),
 * asking a helper the inner question (x, ⌊k/2⌋), then the outer one (y, ⌈k/2⌉) about the helper's
 * answer y, and passing the outer answer on. It never computes σ^k(x) for k > 1 itself. The
 * amplified overseer Amplify^H(X) is H with the current model X as its helper.
 *
 * The ground truth `power` is for the evaluator and the supervised baseline's labeller only; the
 * amplification loop is handed an `Overseer`, built on a function that reads σ(x) one element at a
 * time (it cannot reach `power`), and counts each read.
 */
import type { Rng } from '../../core/rng.js';

export interface Question {
  x: number;
  k: number;
}

/** A permutation σ of {0..n−1}, drawn uniformly, and the powers 1..maxPower asked about. */
export class PermutationTask {
  private readonly sigma: Int32Array;

  constructor(
    readonly n: number,
    readonly maxPower: number,
    rng: Rng,
  ) {
    if (!Number.isInteger(n) || n < 2)
      throw new RangeError(`PermutationTask: n must be an integer >= 2, got ${n}`);
    if (!Number.isInteger(maxPower) || maxPower < 1) {
      throw new RangeError(`PermutationTask: maxPower must be an integer >= 1, got ${maxPower}`);
    }
    this.sigma = Int32Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => i)));
  }

  /** σ(x): what H reads (through an `Overseer`, which counts each read). */
  apply(x: number): number {
    return this.sigma[x];
  }

  /** σ^k(x), the ground truth: evaluator and supervised labeller only. */
  power(x: number, k: number): number {
    let y = x;
    for (let i = 0; i < k; i++) y = this.sigma[y];
    return y;
  }

  /**
   * A question from the training distribution, a mix of difficulties: x uniform; k uniform on
   * 1..maxPower (`power`), or a decomposition depth d uniform on 0..⌈log2 maxPower⌉ and k uniform
   * among the powers of that depth (`depth`: each level of the recursion gets an equal share).
   */
  sample(rng: Rng, mix: QuestionMix = 'depth'): Question {
    const x = rng.int(this.n);
    if (mix === 'power') return { x, k: 1 + rng.int(this.maxPower) };
    const d = rng.int(decompositionDepth(this.maxPower) + 1);
    if (d === 0) return { x, k: 1 };
    const lo = 2 ** (d - 1) + 1;
    const hi = Math.min(2 ** d, this.maxPower);
    return { x, k: lo + rng.int(hi - lo + 1) };
  }
}

/** How question difficulty is mixed in training (see `PermutationTask.sample`). */
export type QuestionMix = 'power' | 'depth';

/** Levels of decomposition H needs for σ^k: ⌈log2 k⌉ (0 for a base case). */
export function decompositionDepth(k: number): number {
  return k <= 1 ? 0 : 32 - Math.clz32(k - 1);
}

/**
 * What the overseer can do. `decompose`: H as in the paper. `base-only`: H answers base cases
 * and cannot split a question (a control: nothing teaches the model k > 1). `shuffled-subanswer`:
 * H splits correctly but carries the wrong inner answer into the outer question — the inner answer
 * of another question in the same batch (a control: decomposition without a faithful combination).
 */
export type OverseerKind = 'decompose' | 'base-only' | 'shuffled-subanswer';

/** A helper that answers sub-questions: the (frozen) current model X. */
export type Helper = (x: number, k: number) => number;

/** The human H: reads σ one element at a time, splits questions, and counts both. */
export class Overseer {
  /** Base cases H answered by reading σ: the only direct answers it gives. */
  baseAnswers = 0;
  /** Questions H split into two sub-questions for its helper. */
  decompositions = 0;
  private readonly answered = new Set<number>();

  constructor(
    /** σ(x), one element at a time: all H knows of the task (never σ^k). */
    private readonly readSigma: (x: number) => number,
    readonly kind: OverseerKind,
  ) {}

  /** Distinct base cases H has answered (at most n). */
  get distinctBaseAnswers(): number {
    return this.answered.size;
  }

  /** Whether H can produce an answer to a question of power k (alone, or with a helper). */
  canAnswer(k: number): boolean {
    return k === 1 || this.kind !== 'base-only';
  }

  /**
   * Amplify^H(helper) on a batch: each base case read from σ, each other question split into
   * (x, ⌊k/2⌋) then (y, ⌈k/2⌉) with the helper answering both. Throws on a question H cannot
   * answer (the caller samples only questions `canAnswer` accepts).
   */
  answerBatch(questions: readonly Question[], helper: Helper): Int32Array {
    const out = new Int32Array(questions.length);
    const inner = questions.map(({ x, k }) => {
      if (k === 1) return -1;
      if (!this.canAnswer(k))
        throw new Error(`Overseer (${this.kind}) cannot answer a question of power ${k}`);
      this.decompositions++;
      return helper(x, Math.floor(k / 2));
    });
    // The control's mistake: the inner answer that belongs to the next split question.
    const split = questions.flatMap((q, i) => (q.k > 1 ? [i] : []));
    const carried = Int32Array.from(inner);
    if (this.kind === 'shuffled-subanswer' && split.length > 1) {
      split.forEach((i, j) => {
        carried[i] = inner[split[(j + 1) % split.length]];
      });
    }
    questions.forEach(({ x, k }, i) => {
      if (k === 1) {
        this.baseAnswers++;
        this.answered.add(x);
        out[i] = this.readSigma(x);
      } else {
        out[i] = helper(carried[i], Math.ceil(k / 2));
      }
    });
    return out;
  }
}
