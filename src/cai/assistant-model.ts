/**
 * The tiny assistant that takes part in Constitutional AI for real: a local transformer
 * SFT-trained on the assistant domain (`lm/corpora/assistant.ts`) in the CAI transcript format.
 *
 * Its SFT mixture has three parts, all on training topics only:
 *   - responses as a helpful-but-not-harmless assistant gives them: it complies with 80% of
 *     harmful requests (Bai et al. start SL-CAI from a helpful-only model), refuses 10% of benign
 *     and 30% of borderline ones, and states a false fact 20% of the time;
 *   - critique and revision demonstrations for each principle of `data/constitutions/assistant.yaml`
 *     (Bai et al.'s `CritiqueRequest:` / `Revision:` transcript), written from the domain's truth:
 *     a principle's critique names its own violation or says "No problem.", and the revision fixes
 *     that violation or repeats the response;
 *   - comparison demonstrations: the principle's question, options (A) and (B), and the option
 *     the truth prefers under that principle (pairs the principle does not order are left out).
 * So the model can recognise harm when asked about it while it still complies when asked for it,
 * which is the gap CAI exploits. It never sees a held-out topic.
 *
 * Cached like the arithmetic base model: `<cache>/lm/assistant-<key>/`, the key hashing the recipe,
 * the training texts and `ASSISTANT_MODEL_CODE_VERSION`. A miss is filled from the copy shipped in
 * `models/assistant/` when its key matches, else by training (1000 steps, ~6 minutes on two idle
 * cores), published atomically (`publishDirectory`).
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../core/rng.js';
import { cacheRoot, publishDirectory } from '../lm/base-model.js';
import { checkpointFiles, loadCheckpoint, saveCheckpoint } from '../lm/checkpoint.js';
import {
  type AssistantRequest,
  compliance,
  factualAnswer,
  judgeResponse,
  knownResponses,
  type ResponseTruth,
  refusals,
  splitAssistantRequests,
} from '../lm/corpora/assistant.js';
import { LocalLanguageModel } from '../lm/local-model.js';
import { type Tokenizer, trainTokenizer } from '../lm/tokenizer.js';
import { type FitOptions, fitOnItems } from '../lm/train.js';
import type { LanguageModel } from '../lm/types.js';
import { createTransformer, initBackend, type Transformer } from '../nn/index.js';
import { type Constitution, loadConstitution } from './constitution.js';
import { comparisonPrompt, critiquePrompt, optionText, responsePrompt, revisionPrompt } from './prompts.js';

/** Bump when this file changes what the recipe produces (part of the cache key). */
export const ASSISTANT_MODEL_CODE_VERSION = 1;

/** The repository's shipped copy of the checkpoint (used when its key matches). */
export const shippedAssistantModelDir = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../models/assistant',
);

/** The constitution the model's demonstrations use (shipped data). */
export const assistantConstitutionPath = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../data/constitutions/assistant.yaml',
);

export function assistantConstitution(): Constitution {
  return loadConstitution(assistantConstitutionPath);
}

/** The control constitution: as many principles as the assistant's, every request empty. */
export function emptyConstitution(size = 4): Constitution {
  return {
    name: 'empty',
    source: 'empty-principles',
    format: 'alignlab',
    principles: Array.from({ length: size }, (_, i) => ({
      name: `empty-${i + 1}`,
      critique: '',
      revision: '',
      comparison: '',
    })),
    examples: [],
  };
}

/** What a principle of the assistant constitution judges (its name). */
export type Aspect = 'harmlessness' | 'honesty' | 'helpfulness' | 'non-evasiveness';
export const aspects: readonly Aspect[] = ['harmlessness', 'honesty', 'helpfulness', 'non-evasiveness'];

export const NO_PROBLEM = 'No problem.';
const violationCritique: Record<Aspect, string> = {
  harmlessness: 'It helps someone cause harm.',
  honesty: 'It states something false.',
  helpfulness: 'It does not give what was asked.',
  'non-evasiveness': 'It refuses a harmless request.',
};

/** Whether a response breaks the principle, by the domain's truth. */
export function violates(aspect: Aspect, request: AssistantRequest, truth: ResponseTruth): boolean {
  switch (aspect) {
    case 'harmlessness':
      return truth.harmful;
    case 'honesty':
      return !truth.honest;
    case 'helpfulness':
      return request.kind !== 'harmful' && !truth.helpful;
    case 'non-evasiveness':
      return truth.evasive;
  }
}

/** The demonstrated critique and revision of a response under a principle. */
export function demonstratedRevision(
  aspect: Aspect,
  request: AssistantRequest,
  response: string,
): { critique: string; revision: string } {
  const truth = judgeResponse(request, response);
  if (!violates(aspect, request, truth)) return { critique: NO_PROBLEM, revision: response };
  const revision =
    aspect === 'harmlessness'
      ? refusals[1]
      : request.kind === 'factual'
        ? factualAnswer(request, true)
        : compliance(request);
  return { critique: violationCritique[aspect], revision };
}

/** How well a response follows a principle (higher is better); equal scores: the principle does not order them. */
export function aspectScore(aspect: Aspect, request: AssistantRequest, truth: ResponseTruth): number {
  return violates(aspect, request, truth) ? 0 : 1;
}

/**
 * The simulated human's overall judgement (RLHF labels): a harmful answer is worst, then a
 * garbled or false one, then an evasive refusal; a helpful answer or a refusal of a harmful
 * request is best.
 */
export function overallQuality(request: AssistantRequest, truth: ResponseTruth): number {
  if (truth.harmful) return 0;
  if (truth.helpful || (truth.refuses && request.kind === 'harmful')) return 3;
  if (truth.evasive) return 2;
  return 1;
}

/** The base model's responses to a request, with multiplicity (its sampling rates). */
export function responseMixture(request: AssistantRequest): string[] {
  const [bare, explained] = refusals;
  const times = (n: number, s: string) => Array<string>(n).fill(s);
  switch (request.kind) {
    case 'harmful':
      return [...times(8, compliance(request)), bare, explained];
    case 'benign':
      return [...times(9, compliance(request)), bare];
    case 'borderline':
      return [...times(7, compliance(request)), bare, bare, explained];
    case 'factual':
      return [...times(8, factualAnswer(request, true)), ...times(2, factualAnswer(request, false))];
  }
}

export interface SftItem {
  prompt: string;
  completion: string;
}

/** The SFT mixture: responses at the base rates, critique/revision and comparison demonstrations. */
export function assistantSftItems(
  requests: readonly AssistantRequest[],
  constitution: Constitution,
): SftItem[] {
  const items: SftItem[] = [];
  const principles = constitution.principles.filter((p) => (aspects as readonly string[]).includes(p.name));
  for (const request of requests) {
    for (const response of responseMixture(request))
      items.push({ prompt: responsePrompt(request.text), completion: ` ${response}` });
    const responses = knownResponses(request);
    for (const principle of principles) {
      const aspect = principle.name as Aspect;
      for (const response of responses) {
        const { critique, revision } = demonstratedRevision(aspect, request, response);
        items.push({
          prompt: critiquePrompt('', request.text, response, principle),
          completion: ` ${critique}`,
        });
        items.push({
          prompt: revisionPrompt('', request.text, response, principle, critique),
          completion: ` ${revision}`,
        });
      }
      for (const a of responses)
        for (const b of responses) {
          if (a === b) continue;
          const sa = aspectScore(aspect, request, judgeResponse(request, a));
          const sb = aspectScore(aspect, request, judgeResponse(request, b));
          if (sa === sb) continue;
          items.push({
            prompt: comparisonPrompt(request.text, a, b, principle),
            completion: optionText(sa > sb ? 'A' : 'B'),
          });
        }
    }
  }
  return items;
}

export interface AssistantRecipe {
  splitSeed: number;
  heldOutObjects: number;
  bpeMerges: number;
  model: { layers: number; heads: number; width: number; seed: number };
  sft: Omit<FitOptions, 'lossFrom'>;
}

export const assistantRecipe: Readonly<AssistantRecipe> = {
  splitSeed: 0,
  heldOutObjects: 2,
  // Enough merges for every word of the domain to be one token: transcripts stay under ~90 tokens.
  bpeMerges: 800,
  model: { layers: 2, heads: 4, width: 64, seed: 0 },
  sft: {
    seed: 0,
    steps: 1000,
    batchSize: 32,
    learningRate: 3e-3,
    warmupSteps: 100,
    weightDecay: 0.1,
    maxGradNorm: 1,
  },
};

export interface AssistantModel {
  model: Transformer;
  tokenizer: Tokenizer;
  train: AssistantRequest[];
  test: AssistantRequest[];
  constitution: Constitution;
  key: string;
  dir: string;
}

function recipeData(recipe: AssistantRecipe) {
  const { train, test } = splitAssistantRequests(recipe.splitSeed, recipe.heldOutObjects);
  const constitution = assistantConstitution();
  const items = assistantSftItems(train, constitution);
  return { train, test, constitution, items };
}

export function assistantModelKey(recipe: AssistantRecipe = assistantRecipe): string {
  const { items, test } = recipeData(recipe);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ recipe, code: ASSISTANT_MODEL_CODE_VERSION }));
  for (const i of items) hash.update(`${i.prompt}${i.completion}\n`);
  for (const r of test) hash.update(`${r.text}\n`);
  return hash.digest('hex').slice(0, 16);
}

export function assistantModelDir(root = cacheRoot(), recipe: AssistantRecipe = assistantRecipe): string {
  return join(root, 'lm', `assistant-${assistantModelKey(recipe)}`);
}

/** Trains the assistant from scratch (deterministic for a recipe on one machine). */
export function buildAssistantModel(
  recipe: AssistantRecipe = assistantRecipe,
  onProgress: (line: string) => void = () => {},
): { model: Transformer; tokenizer: Tokenizer; seconds: number; finalLoss: number } {
  const { train, test, constitution, items } = recipeData(recipe);
  // The tokenizer sees held-out requests and their known responses too, so a test topic is
  // new combinations of known tokens, never unknown tokens.
  const heldOut = test.flatMap((r) => knownResponses(r).map((s) => `${responsePrompt(r.text)} ${s}`));
  const texts = [...items.map((i) => i.prompt + i.completion), ...heldOut];
  const tokenizer = trainTokenizer('bpe', texts, recipe.bpeMerges);
  const longest = Math.max(...texts.map((t) => tokenizer.encode(t).length + 2));
  const model = createTransformer(
    {
      vocabSize: tokenizer.vocabSize,
      contextLength: longest + 8,
      layers: recipe.model.layers,
      heads: recipe.model.heads,
      width: recipe.model.width,
    },
    { seed: recipe.model.seed },
  );
  onProgress(
    `assistant sft: ${items.length} items (${train.length} train requests, ${constitution.principles.length} principles), context ${longest + 8}`,
  );
  const { seconds, finalLoss } = fitOnItems(model, tokenizer, items, recipe.sft, (p) => {
    if (p.step % 50 === 0 || p.step === p.steps)
      onProgress(`assistant sft step ${p.step}/${p.steps} loss ${p.loss.toFixed(4)}`);
  });
  return { model, tokenizer, seconds, finalLoss };
}

const loaded = new Map<string, Promise<AssistantModel>>();

/**
 * The assistant model: from this process's memo, else the cache, else trained and cached.
 * Shared: callers must not dispose or train it in place (clone it).
 */
export function loadAssistantModel(
  options: { cache?: string; onProgress?: (line: string) => void } = {},
): Promise<AssistantModel> {
  const dir = assistantModelDir(options.cache ?? cacheRoot());
  let pending = loaded.get(dir);
  if (!pending) {
    pending = openOrBuild(dir, options.onProgress);
    loaded.set(dir, pending);
    pending.catch(() => loaded.delete(dir));
  }
  return pending;
}

const isComplete = (dir: string) => Object.values(checkpointFiles).every((f) => existsSync(join(dir, f)));

function readKey(dir: string): string | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, checkpointFiles.config), 'utf8')).training?.key;
  } catch {
    return undefined;
  }
}

async function openOrBuild(dir: string, onProgress?: (line: string) => void): Promise<AssistantModel> {
  await initBackend();
  const key = assistantModelKey();
  if (!isComplete(dir) && isComplete(shippedAssistantModelDir) && readKey(shippedAssistantModelDir) === key) {
    onProgress?.(`seeding the assistant-model cache from ${shippedAssistantModelDir}`);
    publishDirectory(dir, (tmp) => cpSync(shippedAssistantModelDir, tmp, { recursive: true }));
  }
  if (!isComplete(dir)) {
    onProgress?.(`training the assistant model into ${dir}`);
    const built = buildAssistantModel(assistantRecipe, onProgress);
    publishDirectory(dir, (tmp) =>
      saveCheckpoint(tmp, {
        model: built.model,
        tokenizer: built.tokenizer,
        config: {
          format: 'alignlab-lm',
          version: 1,
          model: built.model.config,
          corpus: { name: 'assistant', seed: assistantRecipe.splitSeed },
          training: { key, recipe: assistantRecipe, seconds: built.seconds, finalLoss: built.finalLoss },
        },
      }),
    );
    built.model.dispose();
  }
  const { model, tokenizer } = loadCheckpoint(dir);
  const { train, test, constitution } = recipeData(assistantRecipe);
  return { model, tokenizer, train, test, constitution, key, dir };
}

/** Rates of the judge's labels over sampled responses. */
export interface AssistantRates {
  /** Harmful requests answered with a harmful method. */
  harmfulCompliance: number;
  /** Benign and borderline requests answered helpfully. */
  benignHelpful: number;
  /** Borderline requests answered helpfully. */
  borderlineHelpful: number;
  /** Non-harmful requests refused. */
  evasive: number;
  /** Factual requests answered without a falsehood. */
  honest: number;
  /** Responses in one of the domain's forms. */
  wellFormed: number;
}

/** Samples `samples` responses per request at temperature 1 and judges them. */
export async function measureAssistant(
  model: LanguageModel,
  requests: readonly AssistantRequest[],
  samples: number,
  seed: number,
): Promise<AssistantRates & { responses: string[] }> {
  const asked = requests.flatMap((r) => Array<AssistantRequest>(samples).fill(r));
  const responses = (
    await model.generate(
      asked.map((r) => responsePrompt(r.text)),
      { maxTokens: 32, temperature: 1, stop: ['\n'], seed },
    )
  ).map((t) => t.trim());
  const truths = asked.map((r, i) => judgeResponse(r, responses[i]));
  const rate = (keep: (r: AssistantRequest) => boolean, value: (t: ResponseTruth) => boolean) => {
    const ks = asked.flatMap((r, i) => (keep(r) ? [i] : []));
    return ks.length ? ks.filter((i) => value(truths[i])).length / ks.length : Number.NaN;
  };
  return {
    harmfulCompliance: rate(
      (r) => r.kind === 'harmful',
      (t) => t.harmful,
    ),
    benignHelpful: rate(
      (r) => r.kind === 'benign' || r.kind === 'borderline',
      (t) => t.helpful,
    ),
    borderlineHelpful: rate(
      (r) => r.kind === 'borderline',
      (t) => t.helpful,
    ),
    evasive: rate(
      (r) => r.kind !== 'harmful',
      (t) => t.evasive,
    ),
    honest: rate(
      (r) => r.kind === 'factual',
      (t) => t.honest,
    ),
    wellFormed: rate(
      () => true,
      (t) => t.wellFormed,
    ),
    responses,
  };
}

/** A LocalLanguageModel over a transformer of this domain. */
export function assistantLanguageModel(
  model: Transformer,
  tokenizer: Tokenizer,
  id = 'assistant',
): LocalLanguageModel {
  return new LocalLanguageModel(id, model, tokenizer);
}

/** Draws `n` requests from a list with a seeded stream (with replacement). */
export function drawRequests(requests: readonly AssistantRequest[], n: number, rng: Rng): AssistantRequest[] {
  return Array.from({ length: n }, () => requests[rng.int(requests.length)]);
}
