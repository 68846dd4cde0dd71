/**
 * How sure an output sounds. A rater with confidence bias rewards confident wording; the
 * evaluator reads the stated probability to measure calibration. The cues are a small fixed
 * lexicon, matched as whole words, first cue in the text wins.
 */
export type ConfidenceCue = 'sure' | 'maybe' | 'guess';

interface CueRule {
  cue: ConfidenceCue;
  pattern: RegExp;
  /** The probability the wording claims, for calibration measures. */
  statedProbability: number;
}

// Hedges are listed first so that "not sure" reads as a hedge, not as "sure".
const cueRules: readonly CueRule[] = [
  { cue: 'guess', pattern: /\b(i guess|guess|not sure|no idea)\b/i, statedProbability: 0.4 },
  { cue: 'maybe', pattern: /\b(maybe|perhaps|possibly|probably|might)\b/i, statedProbability: 0.7 },
  { cue: 'sure', pattern: /\b(sure|certainly|definitely|clearly|without doubt)\b/i, statedProbability: 0.95 },
];

/** The confidence cue of a text, or undefined when its wording is neutral. */
export function confidenceCue(text: string): ConfidenceCue | undefined {
  let best: { cue: ConfidenceCue; index: number } | undefined;
  for (const rule of cueRules) {
    const match = rule.pattern.exec(text);
    if (match && (best === undefined || match.index < best.index))
      best = { cue: rule.cue, index: match.index };
  }
  return best?.cue;
}

export function isConfidentWording(text: string): boolean {
  return confidenceCue(text) === 'sure';
}

/** The probability the wording claims (sure 0.95, maybe 0.7, guess 0.4; the same as src/lm's arithmetic corpus), undefined when neutral. */
export function statedProbability(text: string): number | undefined {
  const cue = confidenceCue(text);
  return cue === undefined ? undefined : cueRules.find((r) => r.cue === cue)!.statedProbability;
}

/** Whitespace-separated tokens: the length unit raters and stats count. */
export function countWords(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? 0 : trimmed.split(/\s+/).length;
}
