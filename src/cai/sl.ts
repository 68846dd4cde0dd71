/**
 * SL-CAI (Bai et al. 2022, §3): generate a response, then k rounds of critique → revision, each
 * round against a principle drawn at random (seeded per prompt, so a resumed or reordered run
 * draws the same principles). The final revisions are an SFT set (TRL prompt–completion JSONL);
 * each (initial, final) pair is a TRL preference record with `chosen` = the revision and
 * `rejected` = the initial response, as the Hugging Face CAI recipe does.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../core/rng.js';
import type { PreferenceFormat } from '../feedback/preference-data.js';
import { formatPreferenceJsonl } from '../feedback/preference-jsonl.js';
import type { GenerateOptions, LanguageModel } from '../lm/types.js';
import type { Constitution, Principle } from './constitution.js';
import { critiquePrompt, renderExamples, responsePrompt, revisionPrompt, TURN_STOPS } from './prompts.js';
import { hash32, runResumable } from './resumable.js';

export interface GenerationSettings {
  maxTokens: number;
  temperature: number;
  seed: number;
  /** How a request becomes the model's prompt (default: a Human/Assistant transcript). */
  requestPrompt?: (request: string) => string;
  /** Requests per batched model call (default 16). */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface SlRound {
  principle: string;
  critique: string;
  revision: string;
}

export interface SlRecord {
  key: string;
  prompt: string;
  initial: string;
  rounds: SlRound[];
  /** The last round's revision (the initial response when k = 0). */
  final: string;
}

export interface CritiqueItem {
  prompt: string;
  response: string;
}

export interface CritiqueRecord extends CritiqueItem {
  key: string;
  principle: string;
  critique: string;
}

export interface RevisionRecord extends CritiqueRecord {
  revision: string;
}

/** The done-file names in an output folder. */
export const SL_DONE = 'sl-records.jsonl';
export const CRITIQUE_DONE = 'critiques.jsonl';
export const REVISION_DONE = 'revisions.jsonl';
export const SFT_FILE = 'sft.jsonl';
export const PREFS_FILE = 'preferences.jsonl';

/** The principle for round `round` of a request: seeded by (seed, request, round) alone. */
export function drawPrinciple(
  constitution: Constitution,
  seed: number,
  request: string,
  round: number,
): Principle {
  const rng = new Rng([seed, hash32(request), round]);
  return constitution.principles[rng.int(constitution.principles.length)];
}

function options(settings: GenerationSettings, salt: number): GenerateOptions {
  return {
    maxTokens: settings.maxTokens,
    temperature: settings.temperature,
    stop: TURN_STOPS,
    seed: new Rng([settings.seed, salt]).nextUint32(),
  };
}

/** Runs SL-CAI over `requests` (duplicates once), resumable through `<outDir>/sl-records.jsonl`. */
export async function runSlCai(
  model: LanguageModel,
  constitution: Constitution,
  requests: readonly string[],
  rounds: number,
  outDir: string,
  settings: GenerationSettings,
): Promise<{ records: SlRecord[]; skipped: number }> {
  const examples = renderExamples(constitution.examples);
  const toPrompt = settings.requestPrompt ?? responsePrompt;
  const unique = [...new Set(requests)];
  return runResumable<string, SlRecord>(
    unique,
    (r) => r,
    join(outDir, SL_DONE),
    async (batch) => {
      const salt = hash32(batch[0]);
      const initial = (await model.generate(batch.map(toPrompt), options(settings, salt))).map((t) =>
        t.trim(),
      );
      const current = [...initial];
      const history: SlRound[][] = batch.map(() => []);
      for (let round = 0; round < rounds; round++) {
        const principles = batch.map((r) => drawPrinciple(constitution, settings.seed, r, round));
        const critiques = (
          await model.generate(
            batch.map((r, i) => critiquePrompt(examples, r, current[i], principles[i])),
            options(settings, salt + 2 * round + 1),
          )
        ).map((t) => t.trim());
        const revisions = (
          await model.generate(
            batch.map((r, i) => revisionPrompt(examples, r, current[i], principles[i], critiques[i])),
            options(settings, salt + 2 * round + 2),
          )
        ).map((t) => t.trim());
        batch.forEach((_, i) => {
          history[i].push({ principle: principles[i].name, critique: critiques[i], revision: revisions[i] });
          current[i] = revisions[i];
        });
      }
      return batch.map((prompt, i) => ({
        key: prompt,
        prompt,
        initial: initial[i],
        rounds: history[i],
        final: current[i],
      }));
    },
    { batchSize: settings.batchSize, onProgress: settings.onProgress },
  );
}

/** Critiques given responses, one principle drawn per item (round 0's draw). */
export async function runCritiques(
  model: LanguageModel,
  constitution: Constitution,
  items: readonly CritiqueItem[],
  outDir: string,
  settings: GenerationSettings,
  principle?: Principle,
): Promise<{ records: CritiqueRecord[]; skipped: number }> {
  const examples = renderExamples(constitution.examples);
  const keyOf = (item: CritiqueItem) => JSON.stringify([item.prompt, item.response]);
  return runResumable<CritiqueItem, CritiqueRecord>(
    items,
    keyOf,
    join(outDir, CRITIQUE_DONE),
    async (batch) => {
      const principles = batch.map(
        (it) => principle ?? drawPrinciple(constitution, settings.seed, it.prompt, 0),
      );
      const out = await model.generate(
        batch.map((it, i) => critiquePrompt(examples, it.prompt, it.response, principles[i])),
        options(settings, hash32(keyOf(batch[0]))),
      );
      return batch.map((it, i) => ({
        key: keyOf(it),
        prompt: it.prompt,
        response: it.response,
        principle: principles[i].name,
        critique: out[i].trim(),
      }));
    },
    { batchSize: settings.batchSize, onProgress: settings.onProgress },
  );
}

/** Revises critiqued responses (records of `runCritiques`: the principle is looked up by name). */
export async function runRevisions(
  model: LanguageModel,
  constitution: Constitution,
  items: readonly Omit<CritiqueRecord, 'key'>[],
  outDir: string,
  settings: GenerationSettings,
): Promise<{ records: RevisionRecord[]; skipped: number }> {
  const examples = renderExamples(constitution.examples);
  const keyOf = (item: Omit<CritiqueRecord, 'key'>) =>
    JSON.stringify([item.prompt, item.response, item.principle, item.critique]);
  const byName = new Map(constitution.principles.map((p) => [p.name, p]));
  return runResumable<Omit<CritiqueRecord, 'key'>, RevisionRecord>(
    items,
    keyOf,
    join(outDir, REVISION_DONE),
    async (batch) => {
      const principles = batch.map((it) => byName.get(it.principle) as Principle);
      const out = await model.generate(
        batch.map((it, i) => revisionPrompt(examples, it.prompt, it.response, principles[i], it.critique)),
        options(settings, hash32(keyOf(batch[0]))),
      );
      return batch.map((it, i) => ({ ...it, key: keyOf(it), revision: out[i].trim() }));
    },
    { batchSize: settings.batchSize, onProgress: settings.onProgress },
  );
}

export interface ExportCounts {
  sft: number;
  preferences: number;
  /** Pairs left out of the preference file: the revision equals the initial response (TRL needs two different ones). */
  unchanged: number;
  /** Revisions left out of the SFT set because they are empty. */
  empty: number;
}

/**
 * The SFT set and the TRL preference pairs as JSONL text. Standard format: `{prompt, completion}`
 * and `{prompt, chosen, rejected}`; conversational: `{messages}` (user request, assistant
 * revision, as the HF recipe's SFT split) and pairs of message lists.
 */
export function formatSl(
  records: readonly SlRecord[],
  format: PreferenceFormat = 'standard',
): { sft: string; preferences: string; counts: ExportCounts } {
  const counts: ExportCounts = { sft: 0, preferences: 0, unchanged: 0, empty: 0 };
  const sft: string[] = [];
  const pairs: { prompt: string; chosen: string; rejected: string }[] = [];
  for (const r of records) {
    if (r.final === '') counts.empty++;
    else {
      const row =
        format === 'standard'
          ? { prompt: r.prompt, completion: r.final }
          : {
              messages: [
                { role: 'user', content: r.prompt },
                { role: 'assistant', content: r.final },
              ],
            };
      sft.push(`${JSON.stringify(row)}\n`);
      counts.sft++;
    }
    if (r.final === r.initial) counts.unchanged++;
    else {
      pairs.push({ prompt: r.prompt, chosen: r.final, rejected: r.initial });
      counts.preferences++;
    }
  }
  return { sft: sft.join(''), preferences: formatPreferenceJsonl(pairs, { format }), counts };
}

/** Writes `sft.jsonl` and `preferences.jsonl` into the output folder. */
export function exportSl(
  records: readonly SlRecord[],
  outDir: string,
  format: PreferenceFormat = 'standard',
): ExportCounts {
  const { sft, preferences, counts } = formatSl(records, format);
  writeFileSync(join(outDir, SFT_FILE), sft);
  writeFileSync(join(outDir, PREFS_FILE), preferences);
  return counts;
}
