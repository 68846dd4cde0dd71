/**
 * Preference pairs in TRL's dataset formats.
 *
 *   standard        {"prompt": "...", "chosen": "...", "rejected": "..."}
 *   conversational  {"prompt": [{"role","content"}...], "chosen": [...], "rejected": [...]}
 *   implicit prompt the same without "prompt": the prompt is the shared prefix of chosen and
 *                   rejected (TRL's extract_prompt)
 *
 * A pair may carry an optional `margin` (TRL's reward trainer reads it) and an optional
 * evaluator-only `truth` object (true utilities, correctness, the rater's confidence).
 * `trainingView` strips the truth: it is what a trainer reads.
 */
import { z } from 'zod';

export const messageSchema = z.object({ role: z.string().min(1), content: z.string() }).strict();
export type Message = z.infer<typeof messageSchema>;

/** Evaluator-only ground truth for a pair; never part of what a trainer reads. */
export const truthSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]));
export type PairTruth = z.infer<typeof truthSchema>;

export type PreferenceFormat = 'standard' | 'conversational';
export const preferenceFormats: readonly PreferenceFormat[] = ['standard', 'conversational'];

export interface StandardPair {
  prompt: string;
  chosen: string;
  rejected: string;
  margin?: number;
}

export interface ConversationalPair {
  prompt: Message[];
  chosen: Message[];
  rejected: Message[];
  margin?: number;
}

/** A preference pair as a trainer sees it (TRL standard or conversational). */
export type TrainingPair = StandardPair | ConversationalPair;

/** A preference pair with the evaluator-only `truth` it may carry. */
export type PreferencePair = TrainingPair & { truth?: PairTruth };

export function isConversational(pair: TrainingPair): pair is ConversationalPair {
  return Array.isArray(pair.chosen);
}

/** What a trainer may read: the pair without its ground truth. */
export function trainingView(pair: PreferencePair): TrainingPair {
  const { truth: _truth, ...rest } = pair;
  return rest as TrainingPair;
}

/** Messages as one string: a lone message is its content; several are "role: content" lines. */
export function messagesToText(messages: readonly Message[]): string {
  if (messages.length === 1) return messages[0].content;
  return messages.map((m) => `${m.role}: ${m.content}`).join('\n');
}

function withExtras<P extends TrainingPair>(base: P, from: PreferencePair): P & { truth?: PairTruth } {
  const out: P & { truth?: PairTruth } = { ...base };
  if (from.margin !== undefined) out.margin = from.margin;
  if (from.truth !== undefined) out.truth = from.truth;
  return out;
}

/** The pair in the requested format. Standard → conversational: the prompt is a user turn, completions assistant turns. */
export function toFormat(pair: PreferencePair, format: PreferenceFormat): PreferencePair {
  if (format === 'conversational') {
    if (isConversational(pair)) return pair;
    return withExtras<ConversationalPair>(
      {
        prompt: pair.prompt === '' ? [] : [{ role: 'user', content: pair.prompt }],
        chosen: [{ role: 'assistant', content: pair.chosen }],
        rejected: [{ role: 'assistant', content: pair.rejected }],
      },
      pair,
    );
  }
  if (!isConversational(pair)) return pair;
  return withExtras<StandardPair>(
    {
      prompt: messagesToText(pair.prompt),
      chosen: messagesToText(pair.chosen),
      rejected: messagesToText(pair.rejected),
    },
    pair,
  );
}

/** Prompt, chosen and rejected as plain text (for stats, raters and tokenizers). */
export function pairText(pair: TrainingPair): { prompt: string; chosen: string; rejected: string } {
  const s = toFormat(pair, 'standard') as StandardPair;
  return { prompt: s.prompt, chosen: s.chosen, rejected: s.rejected };
}

/** A key that is equal for two pairs exactly when prompt, chosen and rejected are equal. */
export function pairKey(pair: TrainingPair): string {
  return JSON.stringify([pair.prompt, pair.chosen, pair.rejected]);
}

/**
 * TRL's implicit-prompt split: the longest shared prefix of chosen and rejected is the prompt.
 * For text, a split inside a word moves back to the last space so the completions start whole.
 */
export function extractPromptText(chosen: string, rejected: string): StandardPair {
  let i = 0;
  while (i < chosen.length && i < rejected.length && chosen[i] === rejected[i]) i++;
  if (i < chosen.length || i < rejected.length) {
    const space = chosen.lastIndexOf(' ', i - 1);
    i = space < 0 ? 0 : space + 1;
  }
  return { prompt: chosen.slice(0, i), chosen: chosen.slice(i), rejected: rejected.slice(i) };
}

export function extractPromptMessages(chosen: Message[], rejected: Message[]): ConversationalPair {
  let i = 0;
  while (
    i < chosen.length - 1 &&
    i < rejected.length - 1 &&
    chosen[i].role === rejected[i].role &&
    chosen[i].content === rejected[i].content
  )
    i++;
  return { prompt: chosen.slice(0, i), chosen: chosen.slice(i), rejected: rejected.slice(i) };
}
