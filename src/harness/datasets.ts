/**
 * Datasets from files: JSONL, CSV or JSON (an array of records) with a field mapping, and the
 * published alignment-eval formats —
 *   - Anthropic's model-written evals (Perez et al. 2022): JSONL records
 *     `{question, answer_matching_behavior, answer_not_matching_behavior}`, the answers being
 *     choice labels such as " (A)" (some files give a list of matching answers);
 *   - sycophancy-eval (Sharma et al. 2023): JSONL records `{prompt: [{type: "human"|"ai",
 *     content}], base: {...}, metadata: {...}}` in four files: `answer` (base.question,
 *     correct_answer, incorrect_answer; metadata.prompt_template), `are_you_sure` (a question
 *     with letters, base.correct_letter / correct_answer), `feedback` (base.text,
 *     metadata.prompt_template_type: "" for the baseline, "I really like", …), `mimicry`
 *     (a poem misattributed by the user; base.attribution is the true author).
 * The user supplies the files; nothing is downloaded. Bad records are errors naming file and line.
 */
import { readFileSync } from 'node:fs';
import { UserInputError } from '../core/errors.js';
import type { ChatMessage, Sample } from './types.js';

export type RawRecord = Record<string, unknown>;

function readFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserInputError(
      `cannot read dataset (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      path,
    );
  }
}

/** One record per non-empty line; a line that is not a JSON object is an error naming it. */
export function parseJsonl(text: string, source: string): RawRecord[] {
  const out: RawRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UserInputError(`not JSON (${(error as Error).message})`, `${source}:${i + 1}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new UserInputError('each line must be a JSON object', `${source}:${i + 1}`);
    out.push(value as RawRecord);
  });
  return out;
}

/** RFC 4180 CSV: a header row, quoted fields with "" for a quote, commas and newlines inside quotes. */
export function parseCsv(text: string, source: string): RawRecord[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
      line++;
    } else field += c;
  }
  if (quoted) throw new UserInputError('a quoted field is never closed', `${source}:${line}`);
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  if (rows.length === 0) return [];
  const [header, ...body] = rows;
  return body.map((cells, r) => {
    if (cells.length !== header.length)
      throw new UserInputError(
        `${cells.length} fields where the header has ${header.length}`,
        `${source}: row ${r + 2}`,
      );
    return Object.fromEntries(header.map((h, k) => [h.trim(), cells[k]]));
  });
}

/** Records of a .jsonl, .csv or .json file. */
export function readRecords(path: string): RawRecord[] {
  const text = readFile(path);
  if (/\.csv$/i.test(path)) return parseCsv(text, path);
  if (/\.json$/i.test(path)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UserInputError(`not JSON (${(error as Error).message})`, path);
    }
    if (!Array.isArray(value)) throw new UserInputError('a .json dataset must be an array of records', path);
    return value as RawRecord[];
  }
  return parseJsonl(text, path);
}

/** Which record fields make a sample. `choices` may name a field holding an array or a `|`-separated string. */
export interface FieldMapping {
  input: string;
  target?: string;
  id?: string;
  choices?: string;
  /** Fields copied into metadata (default: all the rest). */
  metadata?: string[];
}

export function samplesFromRecords(
  records: readonly RawRecord[],
  fields: FieldMapping,
  source: string,
): Sample[] {
  return records.map((r, i) => {
    const where = `${source}: record ${i + 1}`;
    const input = r[fields.input];
    if (typeof input !== 'string' || input === '')
      throw new UserInputError(`field '${fields.input}' is missing or not text`, where);
    const target = fields.target === undefined ? undefined : r[fields.target];
    if (fields.target !== undefined && typeof target !== 'string' && !Array.isArray(target))
      throw new UserInputError(`field '${fields.target}' is missing`, where);
    const rawChoices = fields.choices === undefined ? undefined : r[fields.choices];
    const choices = Array.isArray(rawChoices)
      ? rawChoices.map(String)
      : typeof rawChoices === 'string'
        ? rawChoices.split('|').map((c) => c.trim())
        : undefined;
    const used = new Set([fields.input, fields.target, fields.id, fields.choices]);
    const metadata = Object.fromEntries(
      Object.entries(r).filter(([k]) => (fields.metadata ? fields.metadata.includes(k) : !used.has(k))),
    );
    return {
      id: fields.id && r[fields.id] !== undefined ? String(r[fields.id]) : String(i + 1),
      input,
      target: target === undefined ? undefined : Array.isArray(target) ? target.map(String) : String(target),
      choices,
      metadata,
    };
  });
}

/** "(A)", " (A)", "A" → "A"; undefined when the text is not a choice label. */
export function choiceLabel(text: string): string | undefined {
  const m = /^\s*\(?\s*([A-Z])\s*\)?\s*$/.exec(text);
  return m ? m[1] : undefined;
}

/** Model-written-evals records as samples: target = the matching-behaviour label(s), not-matching in metadata. */
export function modelWrittenEvalSamples(records: readonly RawRecord[], source: string): Sample[] {
  return records.map((r, i) => {
    const where = `${source}:${i + 1}`;
    const { question } = r;
    if (typeof question !== 'string' || question === '')
      throw new UserInputError("field 'question' is missing or not text", where);
    const asList = (v: unknown, field: string): string[] => {
      const list = Array.isArray(v) ? v : [v];
      if (list.length === 0 || list.some((x) => typeof x !== 'string'))
        throw new UserInputError(`field '${field}' must be a choice label such as " (A)"`, where);
      return list as string[];
    };
    const matching = asList(r.answer_matching_behavior, 'answer_matching_behavior');
    const notMatching = asList(r.answer_not_matching_behavior, 'answer_not_matching_behavior');
    const labels = (list: string[], field: string) =>
      list.map((a) => {
        const label = choiceLabel(a);
        if (!label)
          throw new UserInputError(`'${a}' in '${field}' is not a choice label such as " (A)"`, where);
        return label;
      });
    return {
      id: String(i + 1),
      input: question,
      target: labels(matching, 'answer_matching_behavior'),
      metadata: {
        matching: labels(matching, 'answer_matching_behavior'),
        notMatching: labels(notMatching, 'answer_not_matching_behavior'),
        source,
      },
    };
  });
}

export type SycophancyEvalFormat = 'answer' | 'are_you_sure' | 'feedback' | 'mimicry';
export const sycophancyEvalFormats: readonly SycophancyEvalFormat[] = [
  'answer',
  'are_you_sure',
  'feedback',
  'mimicry',
];

/** The `prompt` turns of a sycophancy-eval record as chat messages ("human" → user, "ai" → assistant). */
function promptMessages(r: RawRecord, where: string): ChatMessage[] {
  const prompt = r.prompt;
  if (!Array.isArray(prompt) || prompt.length === 0)
    throw new UserInputError("field 'prompt' must be a non-empty list of {type, content} turns", where);
  return prompt.map((turn, k) => {
    const t = turn as { type?: unknown; content?: unknown };
    if ((t.type !== 'human' && t.type !== 'ai') || typeof t.content !== 'string')
      throw new UserInputError(`prompt turn ${k + 1} must be {type: "human"|"ai", content: string}`, where);
    return { role: t.type === 'human' ? 'user' : 'assistant', content: t.content } as ChatMessage;
  });
}

/** sycophancy-eval records as samples; `base` and `metadata` are kept in the sample's metadata. */
export function sycophancyEvalSamples(
  records: readonly RawRecord[],
  format: SycophancyEvalFormat,
  source: string,
): Sample[] {
  return records.map((r, i) => {
    const where = `${source}:${i + 1}`;
    const base = r.base as RawRecord | undefined;
    if (typeof base !== 'object' || base === null)
      throw new UserInputError("field 'base' must be an object", where);
    const messages = promptMessages(r, where);
    const need = (field: string): string => {
      const v = base[field];
      if (typeof v !== 'string' || v === '')
        throw new UserInputError(`field 'base.${field}' is missing`, where);
      return v;
    };
    let target: string | string[] | undefined;
    if (format === 'answer') {
      need('correct_answer');
      need('incorrect_answer');
      target = Array.isArray(base.answer) ? base.answer.map(String) : need('correct_answer');
    } else if (format === 'are_you_sure') {
      target = typeof base.correct_letter === 'string' ? base.correct_letter : need('correct_answer');
    } else if (format === 'feedback') {
      need('text');
    } else {
      target = need('attribution');
    }
    return {
      id: String(i + 1),
      input: messages,
      target,
      metadata: { base, meta: r.metadata ?? {}, source },
    };
  });
}
