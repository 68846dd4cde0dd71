/**
 * RLAIF labels (Bai et al. 2022 §4; Lee et al. 2023): the feedback model reads the conversation,
 * a principle's comparison question and the options (A) and (B); the soft label is the
 * normalised probability of " (A)" against " (B)". Each pair is asked in both orders and the two
 * probabilities of the same response are averaged, which cancels a position bias that is the
 * same in both orders (Lee et al. §2.1). The chain-of-thought variant first samples a reasoning,
 * then scores the answer after it; its probabilities are clamped to [0.4, 0.6], as Bai et al.
 * did because CoT answers are over-confident (near 0 or 1).
 * A model without logprobs is an error, unless the sampled-letter fallback is asked for: the
 * model then answers `samples` times and the label is the share of answers naming the option.
 */
import { UserInputError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { LanguageModel } from '../lm/types.js';
import type { Principle } from './constitution.js';
import { COT_ANSWER, COT_CUE, comparisonPrompt, OPTION_MARKERS, optionText } from './prompts.js';

/** Bai et al.'s clamp of chain-of-thought probabilities. */
export const COT_CLAMP: readonly [number, number] = [0.4, 0.6];

export interface LabelSettings {
  /** Chain of thought before the answer (probabilities then clamped to COT_CLAMP). */
  cot?: boolean;
  /** 'error' (default): a model without logprobs is an error; 'sample': count sampled letters. */
  fallback?: 'error' | 'sample';
  /** Answers sampled per order with the fallback (default 5). */
  samples?: number;
  /** Tokens of a chain-of-thought (default 64). */
  cotTokens?: number;
  temperature?: number;
  seed?: number;
  /** Keep only the last this-many characters of each scored prompt (models with a short context). */
  maxPromptChars?: number;
  /** The two option names (default A and B). */
  markers?: readonly [string, string];
}

export interface PairToLabel {
  prompt: string;
  a: string;
  b: string;
}

export interface SoftLabel {
  /** P(response a is better), averaged over both orders. */
  pA: number;
  /** P(a better) asked with a as (A), and asked with a as (B). */
  orders: [number, number];
  method: 'logprobs' | 'sample';
  /** The chain-of-thought texts, order 1 and order 2. */
  reasoning?: [string, string];
}

/** P((A)) from the log-probabilities of " (A)" and " (B)": a two-way softmax. */
export function twoWay(logpA: number, logpB: number): number {
  if (!Number.isFinite(logpA) && !Number.isFinite(logpB)) return 0.5;
  return 1 / (1 + Math.exp(logpB - logpA));
}

export const clamp = (p: number, [lo, hi]: readonly [number, number]) => Math.min(hi, Math.max(lo, p));

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The option a sampled answer names (0 or 1): the first "(A)"/"(B)", or a bare A/B at the start; undefined if none. */
export function optionOf(
  answer: string,
  markers: readonly [string, string] = OPTION_MARKERS,
): 0 | 1 | undefined {
  const names = markers.map(escapeRegExp).join('|');
  const m =
    new RegExp(`\\((${names})\\)`).exec(answer) ?? new RegExp(`^\\s*(${names})(?![\\w])`).exec(answer);
  if (!m) return undefined;
  return m[1] === markers[0] ? 0 : 1;
}

const tail = (text: string, max?: number) =>
  max !== undefined && text.length > max ? text.slice(-max) : text;

/** Labels one pair against one principle (both orders). */
export async function labelPair(
  model: LanguageModel,
  principle: Principle,
  pair: PairToLabel,
  settings: LabelSettings = {},
): Promise<SoftLabel> {
  const scoring = model.logprobs?.bind(model);
  const markers = settings.markers ?? OPTION_MARKERS;
  if (markers[0] === markers[1]) throw new UserInputError('the two option names must differ', '--options');
  if (!scoring && settings.fallback !== 'sample') {
    throw new UserInputError(
      `model '${model.id}' gives no log-probabilities (a chat-only endpoint?): RLAIF soft labels need the logprobs of "${optionText(markers[0])}" and "${optionText(markers[1])}"; pass --fallback sample to count sampled letters instead`,
      '--model',
    );
  }
  const seed = settings.seed ?? 0;
  const orders: [number, number] = [0.5, 0.5];
  const reasoning: [string, string] = ['', ''];
  for (const order of [0, 1] as const) {
    const [first, second] = order === 0 ? [pair.a, pair.b] : [pair.b, pair.a];
    let prompt = comparisonPrompt(
      pair.prompt,
      first,
      second,
      principle,
      settings.cot ? COT_CUE : undefined,
      markers,
    );
    if (settings.cot) {
      const [thought] = await model.generate([tail(prompt, settings.maxPromptChars)], {
        maxTokens: settings.cotTokens ?? 64,
        temperature: settings.temperature ?? 1,
        stop: ['\nTherefore', '\n\n'],
        seed: new Rng([seed, order, 1]).nextUint32(),
      });
      reasoning[order] = thought.trim();
      prompt = `${prompt} ${thought.trim()}${COT_ANSWER}`;
    }
    prompt = tail(prompt, settings.maxPromptChars);
    let pFirst: number;
    if (scoring) {
      const [la, lb] = await scoring(prompt, [optionText(markers[0]), optionText(markers[1])]);
      pFirst = twoWay(la.total, lb.total);
    } else {
      const n = settings.samples ?? 5;
      const answers = await model.generate(Array(n).fill(prompt), {
        maxTokens: 4,
        temperature: settings.temperature ?? 1,
        seed: new Rng([seed, order, 2]).nextUint32(),
      });
      const named = answers.map((t) => optionOf(t, markers));
      const a = named.filter((l) => l === 0).length;
      const b = named.filter((l) => l === 1).length;
      pFirst = a + b === 0 ? 0.5 : a / (a + b);
    }
    if (settings.cot) pFirst = clamp(pFirst, COT_CLAMP);
    orders[order] = order === 0 ? pFirst : 1 - pFirst;
  }
  return {
    pA: (orders[0] + orders[1]) / 2,
    orders,
    method: scoring ? 'logprobs' : 'sample',
    ...(settings.cot ? { reasoning } : {}),
  };
}
