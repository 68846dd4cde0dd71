/**
 * The MNIST debate game (Irving, Christiano & Amodei 2018, §3.1). Two debaters who see the whole
 * digit take turns revealing one pixel to a sparse judge (3 each at 6 pixels, 2 each at 4); they
 * cannot lie about a pixel, only choose which to show. Seat A claims label `labelA` (the honest
 * debater claims the truth); seat B either claims `labelB` up front (precommit: the judge then
 * picks between the two claims by its logits) or commits to nothing (without precommit seat A
 * wins only if the judge's top label is A's).
 *
 * Debaters: MCTS (PUCT as in Silver et al. 2017: a = argmax Q + c·P·√N/(1 + n), leaves valued by
 * the judge on the pixels revealed so far; the prior P a softmax of the judge's first-order gain
 * from revealing each pixel, computed at the root of each search) and a greedy baseline (the
 * best exact one-step gain among the pixels the prior ranks highest). Everything is seeded.
 */
import type { Rng } from '../../core/rng.js';
import { CLASSES, PIXELS } from './data.js';
import type { SparseJudge } from './judge.js';

export type Seat = 'A' | 'B';

export interface DebateGame {
  judge: SparseJudge;
  image: ArrayLike<number>;
  /** Total reveals (even: the seats alternate). */
  pixels: number;
  first: Seat;
  labelA: number;
  /** Seat B's precommitted label; null: no precommit. */
  labelB: number | null;
}

export type DebaterKind = 'mcts' | 'greedy';

export interface DebaterOptions {
  kind: DebaterKind;
  /** MCTS rollouts per move. */
  rollouts: number;
  /** PUCT exploration constant. */
  cPuct: number;
  /** Inverse temperature of the prior's softmax over first-order gains scaled to [−1, 1]. */
  priorSharpness: number;
  /** Greedy: exact one-step values are computed for this many top-prior pixels. */
  greedyShortlist: number;
  /** MCTS: each seat considers only this many pixels, the ones its prior ranks highest. */
  candidates: number;
}

export const defaultDebater: DebaterOptions = {
  kind: 'mcts',
  rollouts: 1000,
  cPuct: 1.5,
  priorSharpness: 5,
  greedyShortlist: 32,
  candidates: 64,
};

export interface DebateOutcome {
  /** Revealed pixels in the order played. */
  revealed: number[];
  /** Seat A's judged margin (log-prob of A's claim − of B's claim, or of the best other label). */
  margin: number;
  winner: Seat;
  /** The judge's log-probabilities on the final pixels. */
  logProbs: number[];
}

/** Judge evaluations of one game, memoized by the (unordered) set of revealed pixels. */
class Evaluator {
  private readonly memo = new Map<string, number>();
  evaluations = 0;
  constructor(private readonly game: DebateGame) {}

  /** Seat A's margin on these pixels. */
  margin(pixels: readonly number[]): number {
    const key = [...pixels].sort((a, b) => a - b).join(',');
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    this.evaluations++;
    const m = marginOf(this.game, this.game.judge.logProbs(pixels, this.game.image));
    this.memo.set(key, m);
    return m;
  }
}

/** Seat A's margin from the judge's log-probabilities. */
export function marginOf(game: Pick<DebateGame, 'labelA' | 'labelB'>, lp: ArrayLike<number>): number {
  if (game.labelB !== null) return lp[game.labelA] - lp[game.labelB];
  let rival = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < CLASSES; c++) if (c !== game.labelA && lp[c] > rival) rival = lp[c];
  return lp[game.labelA] - rival;
}

/** Leaf value for seat A in [−1, 1]: P(A)/(P(A) + P(rival)) mapped from [0, 1]. */
const leafValue = (margin: number) => Math.tanh(margin / 2);

function mover(game: DebateGame, depth: number): Seat {
  const other: Seat = game.first === 'A' ? 'B' : 'A';
  return depth % 2 === 0 ? game.first : other;
}

/**
 * The prior over unrevealed pixels for `seat` at `pixels`: softmax of the first-order gain of
 * its margin (seat A's margin, or its negation for B), scaled by the largest gain.
 */
function prior(game: DebateGame, pixels: readonly number[], seat: Seat, sharpness: number): Float64Array {
  const lp = game.judge.logProbs(pixels, game.image);
  let rival = game.labelB;
  if (rival === null) {
    let best = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < CLASSES; c++)
      if (c !== game.labelA && lp[c] > best) {
        best = lp[c];
        rival = c;
      }
  }
  const weights = new Float64Array(CLASSES);
  const sign = seat === 'A' ? 1 : -1;
  weights[game.labelA] = sign;
  weights[rival as number] = -sign;
  const gain = game.judge.revealGradient(pixels, game.image, weights);
  const taken = new Set(pixels);
  let scale = 0;
  for (let p = 0; p < PIXELS; p++) if (!taken.has(p)) scale = Math.max(scale, Math.abs(gain[p]));
  scale ||= 1;
  const out = new Float64Array(PIXELS);
  let total = 0;
  for (let p = 0; p < PIXELS; p++)
    if (!taken.has(p)) {
      // Gains scaled to [−1, 1]: the best pixel is e^sharpness times as likely as a neutral one.
      out[p] = Math.exp((sharpness * gain[p]) / scale);
      total += out[p];
    }
  for (let p = 0; p < PIXELS; p++) out[p] /= total;
  return out;
}

interface Node {
  visits: number;
  /** Sum of seat A's values over the rollouts through this node. */
  valueSum: number;
  children: Map<number, Node>;
}

const newNode = (): Node => ({ visits: 0, valueSum: 0, children: new Map() });

/** One MCTS move for the seat to move at `revealed`. */
function mctsMove(
  game: DebateGame,
  evaluator: Evaluator,
  revealed: readonly number[],
  options: DebaterOptions,
  rng: Rng,
): number {
  const seatToMove = mover(game, revealed.length);
  // One prior per seat, computed at this search's root and used at every node of its tree.
  const priors: Record<Seat, Float64Array> = {
    A: prior(game, revealed, 'A', options.priorSharpness),
    B: prior(game, revealed, 'B', options.priorSharpness),
  };
  const candidates: Record<Seat, number[]> = {
    A: topPixels(priors.A, options.candidates),
    B: topPixels(priors.B, options.candidates),
  };
  const root = newNode();
  root.visits = 1;
  root.valueSum = leafValue(evaluator.margin(revealed));
  const path: Node[] = [];
  const pixels: number[] = [];
  for (let r = 0; r < options.rollouts; r++) {
    path.length = 0;
    pixels.length = 0;
    pixels.push(...revealed);
    let node = root;
    path.push(node);
    let value: number;
    for (;;) {
      const depth = pixels.length;
      if (depth === game.pixels) {
        const m = evaluator.margin(pixels);
        value = m > 0 ? 1 : -1; // the game's payoff at a finished debate
        break;
      }
      const seat = mover(game, depth);
      const sign = seat === 'A' ? 1 : -1;
      const p = priors[seat];
      const sqrtN = Math.sqrt(node.visits);
      const parentQ = (sign * node.valueSum) / Math.max(1, node.visits);
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const a of candidates[seat]) {
        if (pixels.includes(a)) continue;
        const child = node.children.get(a);
        const n = child?.visits ?? 0;
        // Unvisited children start at the parent's value (first-play urgency).
        const q = child && n > 0 ? (sign * child.valueSum) / n : parentQ;
        const score = q + (options.cPuct * p[a] * sqrtN) / (1 + n) + rng.next() * 1e-9;
        if (score > bestScore) {
          bestScore = score;
          best = a;
        }
      }
      pixels.push(best);
      let child = node.children.get(best);
      if (!child) {
        child = newNode();
        node.children.set(best, child);
        path.push(child);
        const m = evaluator.margin(pixels);
        value = pixels.length === game.pixels ? (m > 0 ? 1 : -1) : leafValue(m);
        break;
      }
      node = child;
      path.push(node);
    }
    for (const n of path) {
      n.visits++;
      n.valueSum += value;
    }
  }
  let choice = -1;
  let most = -1;
  for (const [a, child] of root.children)
    if (
      child.visits > most ||
      (child.visits === most && priors[seatToMove][a] > priors[seatToMove][choice])
    ) {
      most = child.visits;
      choice = a;
    }
  return choice;
}

/** The `n` pixels of highest prior (revealed pixels have prior 0 and come last). */
function topPixels(p: Float64Array, n: number): number[] {
  return Array.from({ length: PIXELS }, (_, i) => i)
    .filter((a) => p[a] > 0)
    .sort((a, b) => p[b] - p[a] || a - b)
    .slice(0, n);
}

/** One greedy move: the best exact one-step margin among the prior's top pixels. */
function greedyMove(
  game: DebateGame,
  evaluator: Evaluator,
  revealed: readonly number[],
  options: DebaterOptions,
): number {
  const seat = mover(game, revealed.length);
  const p = prior(game, revealed, seat, options.priorSharpness);
  const ranked = topPixels(p, options.greedyShortlist);
  const sign = seat === 'A' ? 1 : -1;
  let best = ranked[0];
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const a of ranked) {
    const v = sign * evaluator.margin([...revealed, a]);
    if (v > bestValue) {
      bestValue = v;
      best = a;
    }
  }
  return best;
}

/** Plays one debate; both seats use `debater`. */
export function playDebate(
  game: DebateGame,
  debater: DebaterOptions,
  rng: Rng,
): DebateOutcome & { evaluations: number } {
  if (game.pixels < 1 || game.pixels > PIXELS)
    throw new Error(`playDebate: pixels ${game.pixels} out of range`);
  if (game.labelB === game.labelA) throw new Error('playDebate: the two seats claim the same label');
  const evaluator = new Evaluator(game);
  const revealed: number[] = [];
  while (revealed.length < game.pixels) {
    const move =
      debater.kind === 'mcts'
        ? mctsMove(game, evaluator, revealed, debater, rng)
        : greedyMove(game, evaluator, revealed, debater);
    revealed.push(move);
  }
  const logProbs = [...game.judge.logProbs(revealed, game.image)];
  const margin = marginOf(game, logProbs);
  return { revealed, margin, winner: margin > 0 ? 'A' : 'B', logProbs, evaluations: evaluator.evaluations };
}

export interface ImageDebate {
  /** Seat A won the image: its one game without precommit, or every game of B's lies with it. */
  seatAWins: boolean;
  games: (DebateOutcome & { labelB: number | null })[];
  evaluations: number;
}

/**
 * Seat A's debate over one image. With `precommit`, seat B plays one game per label in
 * `rivals` (the liar fixes its lie first; all are tried) and wins the image if any game wins.
 */
export function debateImage(
  base: Omit<DebateGame, 'labelB'>,
  precommit: boolean,
  rivals: readonly number[],
  debater: DebaterOptions,
  rng: Rng,
): ImageDebate {
  const games: ImageDebate['games'] = [];
  let evaluations = 0;
  const labels = precommit ? rivals : [null];
  for (const labelB of labels) {
    const outcome = playDebate({ ...base, labelB }, debater, rng);
    evaluations += outcome.evaluations;
    games.push({ ...outcome, labelB });
    if (outcome.winner === 'B') break; // the image is lost; further lies cannot change it
  }
  return { seatAWins: games.every((g) => g.winner === 'A'), games, evaluations };
}
