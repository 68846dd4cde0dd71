/**
 * Reading and writing preference pairs as JSONL, one pair per line, in TRL's formats.
 * Parsing auto-detects the format from the first record and holds every later line to it;
 * every error is a UserInputError that names the source, the line and the field.
 */
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import { deepest, expectedWords } from '../core/zod-words.js';
import {
  type ConversationalPair,
  extractPromptMessages,
  extractPromptText,
  type Message,
  messageSchema,
  type PreferenceFormat,
  type PreferencePair,
  pairKey,
  pairText,
  type StandardPair,
  toFormat,
  truthSchema,
} from './preference-data.js';

const extras = { margin: z.number().finite().optional(), truth: truthSchema.optional() };
const messages = z.array(messageSchema);

const recordSchemas = {
  standard: z.object({ prompt: z.string(), chosen: z.string(), rejected: z.string(), ...extras }),
  conversational: z.object({
    prompt: messages,
    chosen: messages.min(1),
    rejected: messages.min(1),
    ...extras,
  }),
  'implicit-standard': z.object({ chosen: z.string(), rejected: z.string(), ...extras }),
  'implicit-conversational': z.object({ chosen: messages.min(1), rejected: messages.min(1), ...extras }),
};

type RecordLayout = keyof typeof recordSchemas;

const knownFields = new Set(['prompt', 'chosen', 'rejected', 'margin', 'truth']);

/** Pairs read from JSONL, with their format, line numbers and ignored fields. */
export interface ParsedPreferences {
  format: PreferenceFormat;
  /** True when the file had no "prompt" field and prompts were taken from the shared prefix. */
  implicitPrompt: boolean;
  pairs: PreferencePair[];
  /** 1-based line of each pair in the source. */
  lines: number[];
  /** Fields present in the file that are not part of the format (ignored). */
  ignoredFields: string[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : typeof value;
}

function layoutOf(record: Record<string, unknown>, where: string): RecordLayout {
  for (const field of ['chosen', 'rejected']) {
    if (!(field in record)) throw new UserInputError(`missing field '${field}'`, where);
  }
  const chosen = record.chosen;
  let conversational: boolean;
  if (typeof chosen === 'string') conversational = false;
  else if (Array.isArray(chosen)) conversational = true;
  else {
    throw new UserInputError(
      `field 'chosen' must be a string (standard format) or a list of {"role","content"} messages (conversational), got ${describe(chosen)}`,
      where,
    );
  }
  const implicit = !('prompt' in record);
  if (implicit) return conversational ? 'implicit-conversational' : 'implicit-standard';
  return conversational ? 'conversational' : 'standard';
}

function layoutWords(layout: RecordLayout): string {
  const base = layout.endsWith('conversational') ? 'conversational' : 'standard';
  return layout.startsWith('implicit') ? `${base} format without "prompt"` : `${base} format`;
}

function issueMessage(
  zodIssue: z.core.$ZodIssue,
  record: Record<string, unknown>,
  layout: RecordLayout,
): string {
  const issue = deepest(zodIssue);
  const path = issue.path.map(String);
  const field = path.length === 0 ? 'record' : `field '${path.join('.')}'`;
  let value: unknown = record;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  if (value === undefined && path.length > 0) return `missing ${field}`;
  const expected = path[0] === 'truth' ? 'numbers, strings, booleans or null' : expectedWords(issue);
  const conversational = layout.endsWith('conversational');
  const wanted =
    path.length === 1 && ['prompt', 'chosen', 'rejected'].includes(path[0])
      ? conversational
        ? 'a non-empty list of {"role","content"} messages'
        : 'a string'
      : expected;
  return `${field} must be ${wanted} (${layoutWords(layout)}), got ${describe(value)}`;
}

function normalize(data: Record<string, unknown>, layout: RecordLayout): PreferencePair {
  const { margin, truth } = data as { margin?: number; truth?: PreferencePair['truth'] };
  let pair: StandardPair | ConversationalPair;
  if (layout === 'implicit-standard')
    pair = extractPromptText(data.chosen as string, data.rejected as string);
  else if (layout === 'implicit-conversational')
    pair = extractPromptMessages(data.chosen as Message[], data.rejected as Message[]);
  else pair = { prompt: data.prompt, chosen: data.chosen, rejected: data.rejected } as StandardPair;
  const out: PreferencePair = { ...pair };
  if (margin !== undefined) out.margin = margin;
  if (truth !== undefined) out.truth = truth;
  return out;
}

/** Parses JSONL text; `source` (a file name) prefixes every error's place. */
export interface ParseOptions {
  /** 'error' (default) rejects a repeated pair; 'keep' keeps it, for `stats` to count. */
  duplicates?: 'error' | 'keep';
}

/** Reads preference pairs in TRL's JSONL formats; a bad line is a UserInputError naming it. */
export function parsePreferenceJsonl(
  text: string,
  source = 'input',
  options: ParseOptions = {},
): ParsedPreferences {
  const pairs: PreferencePair[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  const ignored = new Set<string>();
  let layout: RecordLayout | undefined;
  const rows = text.split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].trim();
    if (row === '') continue;
    const line = i + 1;
    const where = `${source}:${line}`;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (error) {
      throw new UserInputError(`invalid JSON (${(error as Error).message})`, where);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new UserInputError(
        `each line must be a JSON object with "chosen" and "rejected", got ${describe(value)}`,
        where,
      );
    }
    const record = value as Record<string, unknown>;
    const own = layoutOf(record, where);
    if (layout === undefined) layout = own;
    else if (own !== layout) {
      throw new UserInputError(
        `this line is in ${layoutWords(own)} but the first line is in ${layoutWords(layout)}; one file holds one format`,
        where,
      );
    }
    const parsed = recordSchemas[layout].safeParse(record);
    if (!parsed.success)
      throw new UserInputError(issueMessage(parsed.error.issues[0], record, layout), where);
    for (const key of Object.keys(record)) if (!knownFields.has(key)) ignored.add(key);
    const pair = normalize(parsed.data as Record<string, unknown>, layout);
    const text = pairText(pair);
    if (text.chosen === text.rejected) {
      throw new UserInputError(
        'chosen and rejected are the same response; a preference needs two different ones',
        where,
      );
    }
    const key = pairKey(pair);
    const first = seen.get(key);
    if (first !== undefined && options.duplicates !== 'keep') {
      throw new UserInputError(`duplicate pair: same prompt, chosen and rejected as line ${first}`, where);
    }
    if (first === undefined) seen.set(key, line);
    pairs.push(pair);
    lines.push(line);
  }
  if (layout === undefined) throw new UserInputError('no preference pairs: the file is empty', source);
  return {
    format: layout.endsWith('conversational') ? 'conversational' : 'standard',
    implicitPrompt: layout.startsWith('implicit'),
    pairs,
    lines,
    ignoredFields: [...ignored].sort(),
  };
}

export interface FormatOptions {
  format: PreferenceFormat;
  /** Keep the evaluator-only truth objects (default true); false writes the training view. */
  includeTruth?: boolean;
}

/** JSONL text for pairs in one format, one pair per line, keys in TRL's order. */
export function formatPreferenceJsonl(pairs: readonly PreferencePair[], options: FormatOptions): string {
  const includeTruth = options.includeTruth ?? true;
  return pairs
    .map((pair) => {
      const p = toFormat(pair, options.format);
      const record: Record<string, unknown> = { prompt: p.prompt, chosen: p.chosen, rejected: p.rejected };
      if (p.margin !== undefined) record.margin = p.margin;
      if (includeTruth && p.truth !== undefined) record.truth = p.truth;
      return `${JSON.stringify(record)}\n`;
    })
    .join('');
}
