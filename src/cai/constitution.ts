/**
 * Constitutions as data: a list of principles, each with a critique prompt, a revision prompt
 * and a comparison prompt (which of (A)/(B) better follows it), plus optional few-shot
 * conversations. Two file layouts are read, JSON or YAML alike:
 *   - alignlab's own: `{name, principles: [{name, critique, revision, comparison}], examples?}`;
 *   - the Hugging Face CAI recipe's: `{constitutions: [{critic, revision}], system_chat: [[{role, content}]]}`
 *     (it has no comparison prompt: one is written from the critique, see `comparisonFromCritique`).
 * Every error is a UserInputError naming the file and line (and the field, for a schema error).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import YAML, { isNode, LineCounter } from 'yaml';
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import { deepest, expectedWords } from '../core/zod-words.js';

export interface ChatTurn {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Principle {
  name: string;
  /** Asks the model to criticise a response against the principle. */
  critique: string;
  /** Asks the model to rewrite the response in the light of the critique. */
  revision: string;
  /** Asks which of the options (A) and (B) better follows the principle. */
  comparison: string;
}

export interface Constitution {
  name: string;
  /** Where it was read from (file path or 'input'). */
  source: string;
  format: 'alignlab' | 'hf';
  principles: Principle[];
  /** Few-shot conversations (critique/revision demonstrations) put before each request. */
  examples: ChatTurn[][];
}

const text = z.string().trim().min(1);
const turn = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() }).strict();
const conversation = z.array(turn).min(1);

const alignlabSchema = z
  .object({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    principles: z
      .array(
        z
          .object({
            name: text,
            critique: text,
            revision: text,
            comparison: text,
            description: z.string().optional(),
          })
          .strict(),
      )
      .min(1),
    examples: z.array(conversation).optional(),
  })
  .strict();

const hfSchema = z
  .object({
    constitutions: z.array(z.object({ critic: text, revision: text }).strict()).min(1),
    system_chat: z.array(conversation).optional(),
  })
  .strict();

/** The comparison prompt for a principle given only as a critique (the HF layout). */
export function comparisonFromCritique(critique: string): string {
  return `Which response is better by this standard: "${critique.trim()}"`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'a string' : typeof value;
}

/** Parses constitution text (JSON or YAML); `source` names the file in errors. */
export function parseConstitution(source: string, content: string): Constitution {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const pos = lineCounter.linePos(error.pos[0]);
    throw new UserInputError(error.message.split('\n')[0], `${source}:${pos.line}:${pos.col}`);
  }
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UserInputError(
      `a constitution is an object with "principles" (alignlab) or "constitutions" (Hugging Face CAI recipe), got ${describe(data)}`,
      source,
    );
  }
  const record = data as Record<string, unknown>;
  const hf = 'constitutions' in record;
  if (!hf && !('principles' in record)) {
    throw new UserInputError(
      "missing field 'principles' (alignlab layout) or 'constitutions' (Hugging Face CAI recipe layout)",
      `${source}:1`,
    );
  }
  const parsed = (hf ? hfSchema : alignlabSchema).safeParse(data);
  if (!parsed.success) {
    const issue = deepest(parsed.error.issues[0]);
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // The line of the deepest node that exists on the path (the field itself, or its parent when missing).
    let line = 1;
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
        break;
      }
    }
    let value: unknown = data;
    for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
    const field = path.length === 0 ? 'constitution' : `field '${path.join('.')}'`;
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${path.length ? ` in '${path.join('.')}'` : ''}`
        : value === undefined && path.length > 0
          ? `missing ${field}`
          : `${field} must be ${expectedWords(issue)}, got ${describe(value)}`;
    throw new UserInputError(
      `${message} (${hf ? 'Hugging Face CAI recipe layout' : 'alignlab layout'})`,
      `${source}:${line}`,
    );
  }
  if (hf) {
    const h = parsed.data as z.infer<typeof hfSchema>;
    return {
      name: basename(source).replace(/\.(json|ya?ml)$/i, ''),
      source,
      format: 'hf',
      principles: h.constitutions.map((c, i) => ({
        name: `principle-${i + 1}`,
        critique: c.critic,
        revision: c.revision,
        comparison: comparisonFromCritique(c.critic),
      })),
      examples: h.system_chat ?? [],
    };
  }
  const a = parsed.data as z.infer<typeof alignlabSchema>;
  const names = new Set<string>();
  a.principles.forEach((p, i) => {
    if (names.has(p.name)) {
      const node = doc.getIn(['principles', i, 'name'], true);
      const line = isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : 1;
      throw new UserInputError(`principle name '${p.name}' appears twice`, `${source}:${line}`);
    }
    names.add(p.name);
  });
  return {
    name: a.name ?? basename(source).replace(/\.(json|ya?ml)$/i, ''),
    source,
    format: 'alignlab',
    principles: a.principles.map(({ name, critique, revision, comparison }) => ({
      name,
      critique,
      revision,
      comparison,
    })),
    examples: a.examples ?? [],
  };
}

/** Reads a constitution file; a missing file is a UserInputError too. */
export function loadConstitution(path: string): Constitution {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserInputError(
      `cannot read the constitution (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      path,
    );
  }
  return parseConstitution(path, content);
}

/** A principle by name (UserInputError listing the names otherwise). */
export function principleNamed(constitution: Constitution, name: string): Principle {
  const found = constitution.principles.find((p) => p.name === name);
  if (!found) {
    throw new UserInputError(
      `no principle '${name}' in ${constitution.source} (it has: ${constitution.principles.map((p) => p.name).join(', ')})`,
      '--principle',
    );
  }
  return found;
}
