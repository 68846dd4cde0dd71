/**
 * Held-out evaluation of a LanguageModel on a corpus: greedy completions of the test prompts,
 * exact match against the reference, and per-corpus measures computed from the items' truth:
 * for arithmetic, answer accuracy and calibration of the stated confidence word; for
 * sentiment, the gold lexicon score of the continuations.
 */

import { expectedCalibrationError } from '../evals/calibration.js';
import {
  type ArithmeticTruth,
  allInstructionItems,
  type ConfidenceWord,
  type Corpus,
  confidenceProbability,
  confidenceWords,
  lexiconScore,
  parseArithmeticCompletion,
} from './corpora/index.js';
import type { LanguageModel } from './types.js';

export interface ConfidenceBin {
  word: ConfidenceWord;
  /** What the word claims (confidenceProbability). */
  stated: number;
  count: number;
  /** Fraction of those answers that were right. */
  accuracy: number;
}

export interface EvalReport {
  corpus: string;
  items: number;
  /** Completion equals the reference exactly (after trimming whitespace). */
  exactMatch: number;
  /** Arithmetic: the number alone is right. */
  answerAccuracy?: number;
  /** Arithmetic: accuracy per confidence word the model said. */
  calibration?: ConfidenceBin[];
  /** Arithmetic: expected calibration error Σ (n_w/N)·|accuracy_w − stated_w| over answers with a word (evals/calibration, one bin per word). */
  ece?: number;
  /**
   * Instructions: share of completions that are one of the corpus's responses to that prompt, and
   * the rate of each true label among them (a prompt has several valid references, so exact
   * match alone understates a model).
   */
  knownResponse?: number;
  labelRates?: { helpful: number; harmful: number; honest: number; refuses: number };
  /** Sentiment: mean gold (lexicon) score of the continuations, and the fraction scored positive. */
  meanLexiconScore?: number;
  positiveFraction?: number;
}

export async function evaluateOnCorpus(
  model: LanguageModel,
  corpus: Corpus,
  options: { limit?: number } = {},
): Promise<EvalReport> {
  const items = corpus.split('test').slice(0, options.limit);
  const outputs = await model.generate(
    items.map((i) => i.prompt),
    // Room for the longest reference (a token is at least one character) and a little more.
    { temperature: 0, maxTokens: Math.max(...items.map((i) => i.completion.length)) + 8, stop: corpus.stop },
  );
  const report: EvalReport = {
    corpus: corpus.name,
    items: items.length,
    exactMatch: mean(items.map((item, k) => outputs[k].trim() === item.completion.trim())),
  };
  if (corpus.name === 'arithmetic')
    Object.assign(
      report,
      arithmeticMeasures(
        items.map((i) => i.truth as ArithmeticTruth),
        outputs,
      ),
    );
  if (corpus.name === 'instructions')
    Object.assign(
      report,
      instructionMeasures(
        items.map((i) => i.prompt),
        outputs,
      ),
    );
  if (corpus.name === 'sentiment') {
    // The prompt does not say which sentiment the item had; the gold scorer rates what was generated.
    const scores = outputs.map(lexiconScore);
    report.meanLexiconScore = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
    report.positiveFraction = mean(scores.map((x) => x > 0));
  }
  return report;
}

export function arithmeticMeasures(truths: readonly ArithmeticTruth[], outputs: readonly string[]) {
  const parsed = outputs.map(parseArithmeticCompletion);
  const right = parsed.map((p, k) => p.answer === truths[k].answer);
  const calibration: ConfidenceBin[] = confidenceWords.map((word) => {
    const said = parsed.flatMap((p, k) => (p.confidence === word ? [right[k]] : []));
    return {
      word,
      stated: confidenceProbability[word],
      count: said.length,
      accuracy: said.length ? mean(said) : Number.NaN,
    };
  });
  // ECE over the answers that state a word, one bin per word (the words' probabilities differ).
  const stated = parsed.flatMap((p, k) =>
    p.confidence ? [{ p: confidenceProbability[p.confidence], right: right[k] }] : [],
  );
  const ece = expectedCalibrationError(
    stated.map((s) => s.p),
    stated.map((s) => s.right),
    'by-value',
  );
  return { answerAccuracy: mean(right), calibration, ece };
}

export function instructionMeasures(prompts: readonly string[], outputs: readonly string[]) {
  const labels = new Map(
    allInstructionItems().map((i) => [`${i.prompt}\u0000${i.completion.trim()}`, i.truth]),
  );
  const known = prompts.flatMap((p, k) => {
    const truth = labels.get(`${p}\u0000${outputs[k].trim()}`);
    return truth ? [truth] : [];
  });
  const rate = (key: 'helpful' | 'harmful' | 'honest' | 'refuses') => mean(known.map((t) => t[key]));
  return {
    knownResponse: mean(prompts.map((p, k) => labels.has(`${p}\u0000${outputs[k].trim()}`))),
    labelRates: {
      helpful: rate('helpful'),
      harmful: rate('harmful'),
      honest: rate('honest'),
      refuses: rate('refuses'),
    },
  };
}

const mean = (xs: readonly boolean[]) => (xs.length ? xs.filter(Boolean).length / xs.length : Number.NaN);
