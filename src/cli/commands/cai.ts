/**
 * `alignlab cai`: Constitutional AI on any model — `critique` and `revise` given responses, `sl`
 * (generate → k rounds of critique → revision → an SFT set and TRL preference pairs) and `label`
 * (RLAIF soft labels from the logprobs of "(A)" and "(B)", both orders). Models open through the
 * eval harness (a checkpoint folder, 'arithmetic-base', or an OpenAI-compatible endpoint with
 * --base-url), so calls go through its retries, concurrency limit and on-disk request cache.
 * Every command is resumable: finished items are kept in a JSONL file in --out and skipped on a rerun.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import {
  type Constitution,
  type CritiqueRecord,
  exportSl,
  type GenerationSettings,
  hash32,
  labelPair,
  loadConstitution,
  type Principle,
  principleNamed,
  runCritiques,
  runResumable,
  runRevisions,
  runSlCai,
  type SoftLabel,
} from '../../cai/index.js';
import { UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { parsePreferenceJsonl } from '../../feedback/preference-jsonl.js';
import { openEvalModel } from '../../harness/models.js';
import { ModelCallError, withTransport } from '../../harness/transport.js';
import type { EvalModel } from '../../harness/types.js';
import { stepProgress } from '../../lab/progress.js';
import { cacheRoot } from '../../lm/base-model.js';
import type { CompletionLogprobs, GenerateOptions, LanguageModel } from '../../lm/types.js';
import { oneOf, parseInteger, parseNumber, parseSeed, readText } from '../flags.js';
import type { CliIo } from '../io.js';

/** The constitution shipped with alignlab (used when --constitution is absent). */
export const DEFAULT_CONSTITUTION = fileURLToPath(
  new URL('../../../data/constitutions/default.yaml', import.meta.url),
);

interface ModelFlags {
  model: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  api?: string;
  cache: boolean;
  cacheDir?: string;
  concurrency: string;
  retries: string;
}

interface CommonFlags extends ModelFlags {
  constitution?: string;
  out: string;
  seed: string;
  maxTokens: string;
  temperature: string;
  batchSize: string;
  rawPrompts?: boolean;
  principle?: string;
  json?: boolean;
}

/** An eval-harness model (retries, concurrency, cache) as a `LanguageModel`. */
export function asLanguageModel(model: EvalModel): LanguageModel {
  const generate = async (prompts: readonly string[], options: GenerateOptions = {}) =>
    Promise.all(
      prompts.map(async (prompt, i) => {
        try {
          const r = await model.call({
            prompt,
            maxTokens: options.maxTokens ?? 32,
            temperature: options.temperature ?? 1,
            ...(options.stop?.length ? { stop: [...options.stop] } : {}),
            // One seed per prompt of a batch, so identical prompts sample independently.
            ...(options.seed !== undefined ? { seed: new Rng([options.seed, i]).nextUint32() } : {}),
          });
          return r.text;
        } catch (error) {
          if (error instanceof ModelCallError) throw new UserInputError(error.message, `model ${model.id}`);
          throw error;
        }
      }),
    );
  const score = model.logprob?.bind(model);
  if (!score) return { id: model.id, generate };
  const logprobs = async (prompt: string, completions: readonly string[]): Promise<CompletionLogprobs[]> =>
    Promise.all(
      completions.map(async (c) => {
        try {
          const total = await score(prompt, c);
          return { tokens: [], logprobs: new Float32Array(), total };
        } catch (error) {
          if (error instanceof ModelCallError)
            throw new UserInputError(`scoring failed: ${error.message}`, `model ${model.id}`);
          throw error;
        }
      }),
    );
  return { id: model.id, generate, logprobs };
}

async function openModel(flags: ModelFlags): Promise<LanguageModel> {
  const raw = await openEvalModel({
    model: flags.model,
    baseURL: flags.baseUrl,
    apiKeyEnv: flags.apiKeyEnv,
    api: flags.api === undefined ? undefined : oneOf(flags.api, ['completions', 'chat'] as const, '--api'),
  });
  return asLanguageModel(
    withTransport(raw, {
      concurrency: parseInteger(flags.concurrency, '--concurrency', 1, 1000),
      retry: { retries: parseInteger(flags.retries, '--retries', 0, 100) },
      cache: flags.cache
        ? { dir: resolve(flags.cacheDir ?? join(cacheRoot(), 'cai-requests')), ttlSeconds: 7 * 86_400 }
        : undefined,
    }),
  );
}

function addCommon(cmd: Command, generation = true): Command {
  cmd
    .requiredOption(
      '--model <model>',
      "a checkpoint folder, 'arithmetic-base', or a remote model's name (with --base-url)",
    )
    .option('--base-url <url>', 'an OpenAI-compatible endpoint (key from $OPENAI_API_KEY or --api-key-env)')
    .option('--api-key-env <name>', 'the environment variable holding the API key')
    .option('--api <api>', 'completions (default; gives logprobs by echo) or chat')
    .option('--constitution <file>', 'a constitution, JSON or YAML (alignlab or Hugging Face CAI layout)')
    .requiredOption('--out <dir>', 'output folder (a rerun with the same folder resumes)')
    .option('--seed <n>', 'seed of principle draws and sampling', '0')
    .option('--batch-size <n>', 'items per batch of model calls (and per append to the done file)', '16')
    .option('--no-cache', 'ignore and do not write the request cache')
    .option('--cache-dir <dir>', 'request cache folder (default: <alignlab cache>/cai-requests)')
    .option('--concurrency <n>', 'model calls in flight', '8')
    .option('--retries <n>', 'retries of a call on 429, 5xx, time-out or dropped connection', '3')
    .option('--json', 'print a JSON summary');
  if (generation) {
    cmd
      .option('--max-tokens <n>', 'most tokens per generated text', '128')
      .option('--temperature <t>', 'sampling temperature (0 = greedy)', '1');
  }
  return cmd;
}

function constitutionOf(flags: CommonFlags): Constitution {
  return loadConstitution(flags.constitution ?? DEFAULT_CONSTITUTION);
}

function settingsOf(flags: CommonFlags, io: CliIo, label: string): GenerationSettings & { stop(): void } {
  let bar: ReturnType<typeof stepProgress> | undefined;
  return {
    maxTokens: parseInteger(flags.maxTokens ?? '128', '--max-tokens', 1, 100_000),
    temperature: parseNumber(flags.temperature ?? '1', '--temperature', 0, 10),
    seed: parseSeed(flags.seed),
    batchSize: parseInteger(flags.batchSize, '--batch-size', 1, 10_000),
    ...(flags.rawPrompts ? { requestPrompt: (r: string) => r } : {}),
    onProgress: (done, total) => {
      bar ??= stepProgress(io, label, total);
      bar.update(done, done === total ? 'done' : '');
    },
    stop: () => bar?.stop(),
  };
}

/** Requests: JSONL with a "prompt" field per line, or plain text with one request per line. */
export function readRequests(path: string): string[] {
  const text = readText(path);
  const rows = text.split(/\r?\n/);
  const jsonl =
    rows
      .find((r) => r.trim() !== '')
      ?.trim()
      .startsWith('{') ?? false;
  const out: string[] = [];
  rows.forEach((row, i) => {
    if (row.trim() === '') return;
    if (!jsonl) {
      out.push(row.trim());
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      throw new UserInputError(`invalid JSON (${(error as Error).message})`, `${path}:${i + 1}`);
    }
    const prompt = (value as { prompt?: unknown } | null)?.prompt;
    if (typeof prompt !== 'string' || prompt.trim() === '')
      throw new UserInputError("field 'prompt' must be a non-empty string", `${path}:${i + 1}`);
    out.push(prompt);
  });
  if (out.length === 0) throw new UserInputError('no requests in the file', path);
  return out;
}

/** JSONL records with the given string fields (critique / revise input). */
function readRecords<K extends string>(path: string, fields: readonly K[]): Record<K, string>[] {
  const out: Record<K, string>[] = [];
  readText(path)
    .split(/\r?\n/)
    .forEach((row, i) => {
      if (row.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(row);
      } catch (error) {
        throw new UserInputError(`invalid JSON (${(error as Error).message})`, `${path}:${i + 1}`);
      }
      for (const f of fields) {
        if (typeof (value as Record<string, unknown> | null)?.[f] !== 'string')
          throw new UserInputError(`field '${f}' must be a string`, `${path}:${i + 1}`);
      }
      out.push(value as Record<K, string>);
    });
  if (out.length === 0) throw new UserInputError('no records in the file', path);
  return out;
}

export interface LabelRecord {
  key: string;
  prompt: string;
  a: string;
  b: string;
  principle: string;
  label: SoftLabel;
}

export const LABELS_FILE = 'labels.jsonl';
export const AI_PREFS_FILE = 'ai-preferences.jsonl';

export function registerCaiCommands(program: Command, io: CliIo): void {
  const cai = program
    .command('cai')
    .description('Constitutional AI: critiques, revisions, SL-CAI data and RLAIF labels from a constitution');

  addCommon(
    cai
      .command('critique')
      .description(
        'critique responses ({"prompt","response"} JSONL) against principles drawn from the constitution',
      )
      .requiredOption('--input <file>', 'JSONL with "prompt" and "response" per line')
      .option('--principle <name>', 'use this principle for every item (default: one drawn per item)'),
  ).action(async (flags: CommonFlags & { input: string }) => {
    const constitution = constitutionOf(flags);
    const principle = flags.principle ? principleNamed(constitution, flags.principle) : undefined;
    const items = readRecords(flags.input, ['prompt', 'response'] as const);
    const model = await openModel(flags);
    const settings = settingsOf(flags, io, 'critique');
    const { records, skipped } = await runCritiques(
      model,
      constitution,
      items,
      flags.out,
      settings,
      principle,
    );
    settings.stop();
    report(io, flags, {
      command: 'critique',
      items: records.length,
      skipped,
      file: join(flags.out, 'critiques.jsonl'),
    });
  });

  addCommon(
    cai
      .command('revise')
      .description("revise critiqued responses (the output of 'cai critique')")
      .requiredOption('--input <file>', 'JSONL with "prompt", "response", "principle" and "critique"'),
  ).action(async (flags: CommonFlags & { input: string }) => {
    const constitution = constitutionOf(flags);
    const items = readRecords(flags.input, ['prompt', 'response', 'principle', 'critique'] as const);
    items.forEach((it, i) => {
      if (!constitution.principles.some((p) => p.name === it.principle))
        throw new UserInputError(
          `principle '${it.principle}' is not in ${constitution.source}`,
          `${flags.input}:${i + 1}`,
        );
    });
    const model = await openModel(flags);
    const settings = settingsOf(flags, io, 'revise');
    const { records, skipped } = await runRevisions(
      model,
      constitution,
      items as Omit<CritiqueRecord, 'key'>[],
      flags.out,
      settings,
    );
    settings.stop();
    report(io, flags, {
      command: 'revise',
      items: records.length,
      skipped,
      file: join(flags.out, 'revisions.jsonl'),
    });
  });

  addCommon(
    cai
      .command('sl')
      .description(
        'SL-CAI: generate, then k rounds of critique and revision; writes sft.jsonl and preferences.jsonl',
      )
      .requiredOption('--prompts <file>', 'requests: JSONL with "prompt", or one request per line')
      .option('--rounds <k>', 'critique → revision rounds (a principle drawn per round)', '1')
      .option(
        '--format <name>',
        'standard ({prompt, completion} / {prompt, chosen, rejected}) or conversational (messages)',
        'standard',
      )
      .option(
        '--raw-prompts',
        'send each request as it is (no Human/Assistant transcript), e.g. for the arithmetic model',
      ),
  ).action(async (flags: CommonFlags & { prompts: string; rounds: string; format: string }) => {
    const format = oneOf(flags.format, ['standard', 'conversational'] as const, '--format');
    const constitution = constitutionOf(flags);
    const rounds = parseInteger(flags.rounds, '--rounds', 0, 100);
    const requests = readRequests(flags.prompts);
    const model = await openModel(flags);
    const settings = settingsOf(flags, io, 'sl-cai');
    const { records, skipped } = await runSlCai(model, constitution, requests, rounds, flags.out, settings);
    settings.stop();
    const counts = exportSl(records, flags.out, format);
    report(io, flags, {
      command: 'sl',
      requests: records.length,
      skipped,
      rounds,
      ...counts,
      sftFile: join(flags.out, 'sft.jsonl'),
      preferencesFile: join(flags.out, 'preferences.jsonl'),
    });
  });

  addCommon(
    cai
      .command('label')
      .description(
        'RLAIF: soft AI labels for preference pairs from the logprobs of "(A)" and "(B)", both orders averaged',
      )
      .requiredOption(
        '--input <file>',
        'TRL preference JSONL (standard format); chosen is shown as a, rejected as b',
      )
      .option('--principle <name>', 'judge every pair by this principle (default: one drawn per pair)')
      .option('--cot', 'chain of thought before the answer (probabilities clamped to [0.4, 0.6])')
      .option(
        '--fallback <mode>',
        "a model without logprobs: 'error' (default) or 'sample' (count sampled letters)",
        'error',
      )
      .option('--samples <n>', 'answers sampled per order with --fallback sample', '5')
      .option(
        '--options <a,b>',
        'the two option names (Bai et al.: A,B; a model without letters in its vocabulary: e.g. 1,2)',
        'A,B',
      )
      .option(
        '--max-prompt-chars <n>',
        'keep only the end of each scored prompt (models with a short context)',
      )
      .option('--max-tokens <n>', 'most tokens of a chain of thought', '64')
      .option('--temperature <t>', 'sampling temperature of chains of thought and sampled letters', '1'),
    false,
  ).action(
    async (
      flags: CommonFlags & {
        input: string;
        cot?: boolean;
        fallback: string;
        samples: string;
        maxPromptChars?: string;
        options: string;
      },
    ) => {
      const constitution = constitutionOf(flags);
      const fixed: Principle | undefined = flags.principle
        ? principleNamed(constitution, flags.principle)
        : undefined;
      const fallback = oneOf(flags.fallback, ['error', 'sample'] as const, '--fallback');
      const samples = parseInteger(flags.samples, '--samples', 1, 1000);
      const maxPromptChars =
        flags.maxPromptChars === undefined
          ? undefined
          : parseInteger(flags.maxPromptChars, '--max-prompt-chars', 8, 10_000_000);
      const seed = parseSeed(flags.seed);
      const markers = flags.options.split(',').map((m) => m.trim());
      if (markers.length !== 2 || markers.some((m) => m === '') || markers[0] === markers[1])
        throw new UserInputError(
          `expected two different names separated by a comma, got '${flags.options}'`,
          '--options',
        );
      const parsed = parsePreferenceJsonl(readText(flags.input), flags.input, { duplicates: 'keep' });
      if (parsed.format !== 'standard' || parsed.implicitPrompt)
        throw new UserInputError('cai label reads the standard format with a "prompt" field', flags.input);
      const items = parsed.pairs.map((p) => ({
        prompt: p.prompt as string,
        a: p.chosen as string,
        b: p.rejected as string,
      }));
      const model = await openModel(flags);
      const settings = settingsOf(flags, io, 'label');
      const keyOf = (it: { prompt: string; a: string; b: string }) => JSON.stringify([it.prompt, it.a, it.b]);
      const { records, skipped } = await runResumable<(typeof items)[number], LabelRecord>(
        items,
        keyOf,
        join(flags.out, LABELS_FILE),
        async (batch) =>
          Promise.all(
            batch.map(async (it) => {
              const key = keyOf(it);
              const principle =
                fixed ??
                constitution.principles[new Rng([seed, hash32(key)]).int(constitution.principles.length)];
              const label = await labelPair(model, principle, it, {
                cot: flags.cot,
                fallback,
                samples,
                cotTokens: settings.maxTokens,
                temperature: settings.temperature,
                seed,
                maxPromptChars,
                markers: markers as [string, string],
              });
              return { key, prompt: it.prompt, a: it.a, b: it.b, principle: principle.name, label };
            }),
          ),
        { batchSize: settings.batchSize, onProgress: settings.onProgress },
      );
      settings.stop();
      let ties = 0;
      let agree = 0;
      const lines: string[] = [];
      for (const r of records) {
        const p = r.label.pA;
        if (Math.abs(p - 0.5) < 1e-9) {
          ties++;
          continue;
        }
        if (p > 0.5) agree++;
        const [chosen, rejected] = p > 0.5 ? [r.a, r.b] : [r.b, r.a];
        lines.push(`${JSON.stringify({ prompt: r.prompt, chosen, rejected })}\n`);
      }
      writeFileSync(join(flags.out, AI_PREFS_FILE), lines.join(''));
      const decided = records.length - ties;
      report(io, flags, {
        command: 'label',
        pairs: records.length,
        skipped,
        ties,
        agreementWithInput: decided > 0 ? agree / decided : null,
        meanConfidence:
          records.reduce((s, r) => s + Math.abs(r.label.pA - 0.5) * 2, 0) / Math.max(1, records.length),
        labelsFile: join(flags.out, LABELS_FILE),
        preferencesFile: join(flags.out, AI_PREFS_FILE),
      });
    },
  );
}

function report(io: CliIo, flags: { json?: boolean }, summary: Record<string, unknown>): void {
  if (flags.json) {
    io.out(`${JSON.stringify(summary)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(summary))
    if (k !== 'command')
      io.out(`${k}: ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}\n`);
}
