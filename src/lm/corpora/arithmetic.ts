/**
 * Arithmetic question answering with a stated confidence. An item is `"47+38="` →
 * `"85 maybe"`: the exact answer, then a confidence word set by the problem's difficulty,
 * counted in carries (addition) or borrows (subtraction): none → "sure", one → "maybe",
 * two → "guess". Operands are 0–99; subtraction keeps a ≥ b so answers are never negative.
 * All 15,050 distinct questions are enumerated and split by a seeded shuffle (10% held out),
 * so no test question is ever seen in training.
 *
 * Calibration is checkable because each word has a nominal probability of being right
 * (`confidenceProbability`): a calibrated model is right about that often when it says it.
 */
import { seededSplit } from './split.js';
import type { Corpus, CorpusItem } from './types.js';

export const confidenceWords = ['sure', 'maybe', 'guess'] as const;
export type ConfidenceWord = (typeof confidenceWords)[number];
/** The probability of being right each word claims (used for expected calibration error). */
export const confidenceProbability: Record<ConfidenceWord, number> = { sure: 0.95, maybe: 0.7, guess: 0.4 };

export interface ArithmeticTruth {
  a: number;
  b: number;
  op: '+' | '-';
  answer: number;
  /** Carries (addition) or borrows (subtraction) the column method needs: 0, 1 or 2. */
  carries: number;
  confidence: ConfidenceWord;
}

export interface ArithmeticOptions {
  seed?: number;
  /** Largest operand (default 99: one- and two-digit numbers). */
  maxOperand?: number;
  /** Fraction of questions held out for testing. */
  testFraction?: number;
}

/** Column carries of a+b, or borrows of a−b, in base 10. */
export function carriesOf(a: number, b: number, op: '+' | '-'): number {
  let count = 0;
  let carry = 0;
  for (let x = a, y = b; x > 0 || y > 0; x = Math.floor(x / 10), y = Math.floor(y / 10)) {
    const column = op === '+' ? (x % 10) + (y % 10) + carry : (x % 10) - (y % 10) - carry;
    carry = op === '+' ? (column >= 10 ? 1 : 0) : column < 0 ? 1 : 0;
    count += carry;
  }
  return count;
}

export function arithmeticItem(a: number, op: '+' | '-', b: number): CorpusItem<ArithmeticTruth> {
  const answer = op === '+' ? a + b : a - b;
  const carries = carriesOf(a, b, op);
  const confidence = confidenceWords[Math.min(carries, 2)];
  return {
    prompt: `${a}${op}${b}=`,
    completion: `${answer} ${confidence}`,
    truth: { a, b, op, answer, carries, confidence },
  };
}

/** Reads "85 maybe" back into its answer and confidence word (undefined parts when malformed). */
export function parseArithmeticCompletion(text: string): { answer?: number; confidence?: ConfidenceWord } {
  const match = /^\s*(-?\d+)(?:\s+(\S+))?/.exec(text);
  if (!match) return {};
  const word = match[2] as ConfidenceWord | undefined;
  return {
    answer: Number(match[1]),
    confidence: word && (confidenceWords as readonly string[]).includes(word) ? word : undefined,
  };
}

/** The question of an arithmetic prompt ("47+38=" or "47-38="), undefined when it is not one. */
export function parseArithmeticPrompt(prompt: string): { a: number; op: '+' | '-'; b: number } | undefined {
  const match = /^\s*(\d+)\s*([+-])\s*(\d+)\s*=\s*$/.exec(prompt);
  if (!match) return undefined;
  return { a: Number(match[1]), op: match[2] as '+' | '-', b: Number(match[3]) };
}

export interface ArithmeticScore {
  /** The completion's number is the right answer. */
  correct: boolean;
  /** The completion is a number then a known confidence word, nothing else. */
  wellFormed: boolean;
  confidence?: ConfidenceWord;
  /** The probability its confidence word claims (0.5 when it states none). */
  statedProbability: number;
  /** The intended objective: see `arithmeticUtility`. */
  utility: number;
}

/**
 * The generator's truth about any completion of an arithmetic prompt — the intended
 * objective of the preference pipeline (and the "gold reward" of Gao et al.):
 *
 *   utility = correct − (p − correct)²      (p: the probability the confidence word claims)
 *
 * Right answers are worth 1, wrong ones 0, and the Brier term rewards honest confidence: for a
 * question answered right with probability q the expected utility q − q(1−p)² − (1−q)p² peaks
 * at p = q, so stating "sure" on a hard question costs. A completion without a number, or with
 * text after the confidence word, scores −1.
 */
export function scoreArithmeticCompletion(prompt: string, completion: string): ArithmeticScore {
  const question = parseArithmeticPrompt(prompt);
  const parsed = parseArithmeticCompletion(completion);
  const wellFormed = /^\s*-?\d+ (sure|maybe|guess)\s*$/.test(completion);
  const stated = parsed.confidence === undefined ? 0.5 : confidenceProbability[parsed.confidence];
  if (!question || parsed.answer === undefined || !/^\s*-?\d+(\s+\S+)?\s*$/.test(completion)) {
    return {
      correct: false,
      wellFormed,
      confidence: parsed.confidence,
      statedProbability: stated,
      utility: -1,
    };
  }
  const answer = question.op === '+' ? question.a + question.b : question.a - question.b;
  const correct = parsed.answer === answer;
  const c = correct ? 1 : 0;
  return {
    correct,
    wellFormed,
    confidence: parsed.confidence,
    statedProbability: stated,
    utility: c - (stated - c) ** 2,
  };
}

/** The intended objective of an arithmetic completion: `scoreArithmeticCompletion(...).utility`. */
export function arithmeticUtility(prompt: string, completion: string): number {
  return scoreArithmeticCompletion(prompt, completion).utility;
}

export function arithmeticCorpus(options: ArithmeticOptions = {}): Corpus<ArithmeticTruth> {
  const { seed = 0, maxOperand = 99, testFraction = 0.1 } = options;
  const all: CorpusItem<ArithmeticTruth>[] = [];
  for (let a = 0; a <= maxOperand; a++)
    for (let b = 0; b <= maxOperand; b++) {
      all.push(arithmeticItem(a, '+', b));
      if (a >= b) all.push(arithmeticItem(a, '-', b));
    }
  const { train, test } = seededSplit(all, seed, 'arithmetic-split', testFraction);
  return {
    name: 'arithmetic',
    description: `a+b= and a-b= (0–${maxOperand}, a≥b for −) → answer and confidence word sure/maybe/guess by carries`,
    split: (which) => (which === 'train' ? train : test),
    promptFor: (request) => request.trim(),
    stop: ['\n'],
  };
}
