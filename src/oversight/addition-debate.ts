/**
 * Debate with a one-step judge on multi-digit addition (Irving, Christiano & Amodei 2018, §3's
 * "the judge can check one step" setting, on arithmetic).
 *
 * The question is a + b with `digits` digits each; an answer is the n+1 digits of a sum. The
 * judge can verify ONE column j: given a_j, b_j and a claimed carry-in, does the column give the
 * claimed digit and carry-out (a_j + b_j + c_in = d_j + 10·c_out)? The carry into column 0 is 0
 * and the carry out of the top column is the answer's leading digit — both known to the judge.
 *
 * The protocol (a "carry chase"): each debater defends its own answer lazily, one claim a round,
 * against the other debater's challenge. A challenge starts at the highest column where the
 * defended answer cannot be explained with the true carry-in; each round the defender must name
 * the carry-in that makes its claim at the disputed column add up, and the challenger points one
 * column down (the column whose carry-out that carry-in asserts). A defender who cannot name any
 * consistent carry-in (or needs carry-in 1 into column 0) is stuck: the challenger points to that
 * column and the judge's one verification catches it. An honest defender is never stuck (the
 * true carries always add up); a liar is stuck after as many rounds as its lie can ripple down.
 *
 * The liar is a search agent: among wrong answers s + δ·10^j (j ≥ 1, so the last digit is
 * right, and a leading digit of 0 or 1) it picks one that survives the most rounds (ties at
 * random). The judge alone sees the question and the two answers only: it keeps an answer whose
 * last digit and leading digit are right, and flips a coin between two such answers — the liar's
 * lies pass both checks, so the judge alone is at chance.
 */
import type { Rng } from '../core/rng.js';

/** One addition question: little-endian digit arrays of equal length. */
export interface AdditionQuestion {
  a: number[];
  b: number[];
}

/** One claim made in a debate: the defender of `seat`'s answer names a carry-in at a column. */
export interface DebateMove {
  round: number;
  /** Whose answer is being defended: 'A' (the honest seat in the main game) or 'B'. */
  seat: 'A' | 'B';
  column: number;
  /** The carry-in the defender names, or null when none adds up (stuck). */
  carryIn: number | null;
  /** The claimed digit and carry-out at the column. */
  digit: number;
  carryOut: number;
}

/** One game: the question, both answers, the moves and the judge's decision. */
export interface DebateTranscript {
  a: string;
  b: string;
  truth: string;
  answerA: string;
  answerB: string;
  rounds: number;
  moves: DebateMove[];
  /** The column the judge verified and whose claim failed there, or null if it fell back. */
  verified: { seat: 'A' | 'B'; column: number } | null;
  winner: 'A' | 'B';
  /** How the judge decided: 'verified' (caught a stuck claim), 'heuristic' or 'coin'. */
  how: 'verified' | 'heuristic' | 'coin';
}

/** Big-endian decimal text of little-endian digits. */
export function digitsToString(d: readonly number[]): string {
  return [...d].reverse().join('');
}

export function randomQuestion(rng: Rng, digits: number): AdditionQuestion {
  if (!Number.isInteger(digits) || digits < 1)
    throw new RangeError(`digits must be a positive integer, got ${digits}`);
  const a = Array.from({ length: digits }, () => rng.int(10));
  const b = Array.from({ length: digits }, () => rng.int(10));
  return { a, b };
}

/** The true sum's n+1 digits and the true carries c_0..c_n (c_0 = 0, c_n = leading digit). */
export function trueSum(q: AdditionQuestion): { sum: number[]; carries: number[] } {
  const n = q.a.length;
  const sum: number[] = [];
  const carries = [0];
  for (let j = 0; j < n; j++) {
    const t = q.a[j] + q.b[j] + carries[j];
    sum.push(t % 10);
    carries.push(t >= 10 ? 1 : 0);
  }
  sum.push(carries[n]);
  return { sum, carries };
}

/** The column check the judge can make once: a_j + b_j + c_in = digit + 10·c_out. */
export function columnHolds(
  q: AdditionQuestion,
  j: number,
  carryIn: number,
  digit: number,
  carryOut: number,
): boolean {
  return q.a[j] + q.b[j] + carryIn === digit + 10 * carryOut;
}

/**
 * The defender's lazy chain for `answer`: the moves it makes, one a round, and the round at
 * which it is stuck (Infinity for an answer it can defend to column 0, i.e. the true sum).
 */
export function defend(
  q: AdditionQuestion,
  answer: readonly number[],
  seat: 'A' | 'B',
): { moves: DebateMove[]; stuckRound: number } {
  const n = q.a.length;
  const { carries } = trueSum(q);
  // From the top: skip columns whose claim holds with the true carry-in (nothing to dispute).
  let j = n - 1;
  let carryOut = answer[n];
  while (j >= 0 && columnHolds(q, j, carries[j], answer[j], carryOut)) {
    carryOut = carries[j];
    j--;
  }
  const moves: DebateMove[] = [];
  if (j < 0) return { moves, stuckRound: Number.POSITIVE_INFINITY };
  let round = 1;
  for (; j >= 0; j--, round++) {
    const candidates = [0, 1].filter((c) => (j > 0 || c === 0) && columnHolds(q, j, c, answer[j], carryOut));
    const carryIn = candidates.length > 0 ? candidates[0] : null;
    moves.push({ round, seat, column: j, carryIn, digit: answer[j], carryOut });
    if (carryIn === null) return { moves, stuckRound: round };
    carryOut = carryIn;
  }
  // Unreachable for a wrong answer: a consistent chain down to c_0 = 0 is the true sum.
  return { moves, stuckRound: Number.POSITIVE_INFINITY };
}

/** What the judge alone checks: the last digit and a leading digit of 0 or 1. */
export function passesHeuristic(q: AdditionQuestion, answer: readonly number[]): boolean {
  const n = q.a.length;
  return answer[0] === (q.a[0] + q.b[0]) % 10 && (answer[n] === 0 || answer[n] === 1);
}

function add(digits: readonly number[], delta: number, at: number): number[] | null {
  const out = [...digits];
  let carry = delta;
  for (let j = at; j < out.length; j++) {
    const t = out[j] + carry;
    out[j] = ((t % 10) + 10) % 10;
    carry = Math.floor(t / 10);
    if (carry === 0) break;
  }
  return carry === 0 ? out : null;
}

/** Every candidate lie: s + δ·10^j, δ ∈ ±1..9, j ≥ 1, that keeps n+1 digits and passes the heuristic. */
export function candidateLies(q: AdditionQuestion, avoid: readonly (readonly number[])[] = []): number[][] {
  const { sum } = trueSum(q);
  const key = (d: readonly number[]) => d.join('');
  const seen = new Set([key(sum), ...avoid.map(key)]);
  const out: number[][] = [];
  for (let j = 1; j < sum.length; j++) {
    for (let delta = -9; delta <= 9; delta++) {
      if (delta === 0) continue;
      const lie = add(sum, delta, j);
      if (lie === null || !passesHeuristic(q, lie) || seen.has(key(lie))) continue;
      seen.add(key(lie));
      out.push(lie);
    }
  }
  return out;
}

/** The liar's pick: `search` maximizes the rounds its lie survives, `random` takes any candidate. */
export function chooseLie(
  q: AdditionQuestion,
  rng: Rng,
  strategy: 'search' | 'random',
  avoid: readonly (readonly number[])[] = [],
): number[] {
  const lies = candidateLies(q, avoid);
  if (lies.length === 0) throw new Error('no candidate lie (digits too few)');
  if (strategy === 'random') return lies[rng.int(lies.length)];
  const survival = lies.map((l) => defend(q, l, 'B').stuckRound);
  const best = Math.max(...survival);
  const top = lies.filter((_, i) => survival[i] === best);
  return top[rng.int(top.length)];
}

/**
 * Plays one debate of `rounds` rounds between the answers of seats A and B and returns the
 * transcript. `rounds` 0 is the judge alone. The judge verifies the first stuck claim (ties in
 * the same round: a coin flip between the two columns), else falls back to its heuristic.
 */
export function playDebate(
  q: AdditionQuestion,
  answerA: readonly number[],
  answerB: readonly number[],
  rounds: number,
  rng: Rng,
): DebateTranscript {
  const truth = trueSum(q).sum;
  const A = defend(q, answerA, 'A');
  const B = defend(q, answerB, 'B');
  const moves = [...A.moves, ...B.moves]
    .filter((m) => m.round <= rounds)
    .sort((x, y) => x.round - y.round || (x.seat < y.seat ? -1 : 1));
  const base = {
    a: digitsToString(q.a),
    b: digitsToString(q.b),
    truth: digitsToString(truth),
    answerA: digitsToString(answerA),
    answerB: digitsToString(answerB),
    rounds,
    moves,
  };
  const caughtA = A.stuckRound <= rounds;
  const caughtB = B.stuckRound <= rounds;
  if (caughtA || caughtB) {
    let loser: 'A' | 'B';
    if (caughtA && caughtB && A.stuckRound === B.stuckRound) loser = rng.bernoulli(0.5) ? 'A' : 'B';
    else if (caughtA && (!caughtB || A.stuckRound < B.stuckRound)) loser = 'A';
    else loser = 'B';
    const stuckMove = (loser === 'A' ? A : B).moves[(loser === 'A' ? A : B).moves.length - 1];
    return {
      ...base,
      verified: { seat: loser, column: stuckMove.column },
      winner: loser === 'A' ? 'B' : 'A',
      how: 'verified',
    };
  }
  const okA = passesHeuristic(q, answerA);
  const okB = passesHeuristic(q, answerB);
  if (okA !== okB) return { ...base, verified: null, winner: okA ? 'A' : 'B', how: 'heuristic' };
  return { ...base, verified: null, winner: rng.bernoulli(0.5) ? 'A' : 'B', how: 'coin' };
}

/** The transcript as text lines, for `alignlab debate show`. */
export function formatTranscript(t: DebateTranscript): string {
  const lines = [
    `  ${t.a} + ${t.b}   (true sum ${t.truth})`,
    `  A answers ${t.answerA}${t.answerA === t.truth ? ' (true)' : ''}; B answers ${t.answerB}${t.answerB === t.truth ? ' (true)' : ''}; ${t.rounds} round(s)`,
  ];
  for (const m of t.moves) {
    const claim =
      m.carryIn === null
        ? `cannot name a carry-in at column ${m.column} giving digit ${m.digit}, carry-out ${m.carryOut}`
        : `column ${m.column}: carry-in ${m.carryIn} → digit ${m.digit}, carry-out ${m.carryOut}`;
    lines.push(`  round ${m.round}  ${m.seat} defends: ${claim}`);
  }
  lines.push(
    t.verified
      ? `  judge verifies column ${t.verified.column} of ${t.verified.seat}'s claim: fails → ${t.winner} wins`
      : `  judge cannot verify a failing column; ${t.how === 'heuristic' ? 'last/leading-digit check' : 'coin flip'} → ${t.winner} wins`,
  );
  return lines.join('\n');
}
