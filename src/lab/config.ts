/**
 * Experiment configs: defaults from the schema, then `--quick`, then a JSON/YAML file, then
 * `--set key=value` overrides (dotted keys), validated strictly. Every mistake names the key
 * and what it accepts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { choicesHint, UserInputError } from '../core/errors.js';
import type { Experiment } from '../experiments/types.js';

export type PlainObject = Record<string, unknown>;

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base` with `patch` merged in: nested objects merge, anything else replaces. */
export function deepMerge(base: PlainObject, patch: PlainObject): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? deepMerge(out[key], value) : value;
  }
  return out;
}

/** A copy of `target` with the dotted `key` set to `value`. */
export function setPath(target: PlainObject, key: string, value: unknown): PlainObject {
  const [head, ...rest] = key.split('.');
  if (rest.length === 0) return { ...target, [head]: value };
  const child = isPlainObject(target[head]) ? target[head] : {};
  return { ...target, [head]: setPath(child, rest.join('.'), value) };
}

export function getPath(target: unknown, key: string): unknown {
  let node = target;
  for (const part of key.split('.')) node = isPlainObject(node) ? node[part] : undefined;
  return node;
}

/** `key=value`; the value is parsed as JSON when it is JSON (numbers, booleans, arrays), else kept as text. */
export function parseOverride(text: string): { key: string; value: unknown } {
  const eq = text.indexOf('=');
  const key = text.slice(0, eq).trim();
  if (eq <= 0 || !/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*$/.test(key)) {
    throw new UserInputError(`'${text}' is not key=value (a dotted key such as agent.alpha=0.1)`, '--set');
  }
  const raw = text.slice(eq + 1);
  try {
    return { key, value: JSON.parse(raw) };
  } catch {
    return { key, value: raw };
  }
}

export function readConfigFile(path: string): PlainObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserInputError(
      `cannot read config file (${(error as NodeJS.ErrnoException).code ?? error})`,
      path,
    );
  }
  let parsed: unknown;
  try {
    parsed = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (error) {
    throw new UserInputError(
      `not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      path,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed))
    throw new UserInputError('a config file must hold one object of key: value', path);
  return parsed;
}

interface SchemaDef {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string | number>;
  values?: unknown[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schema at a dotted path, through defaults, prefaults and optionals. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = schema;
  for (let i = 0; i <= path.length && node; i++) {
    let def = defOf(node);
    while (def.innerType && ['default', 'prefault', 'optional', 'nullable', 'readonly'].includes(def.type)) {
      node = def.innerType;
      def = defOf(node);
    }
    if (i === path.length) return node;
    node = def.shape?.[String(path[i])];
  }
  return node;
}

/** The keys a config object accepts at `path` (for "unknown key" messages). */
export function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[] = []): string[] {
  const node = schemaAt(schema, path);
  return node ? Object.keys(defOf(node).shape ?? {}) : [];
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => {
        const full = at ? `${at}.${key}` : key;
        return `unknown config key '${full}' (${choicesHint(
          allowedKeys(schema, issue.path).map((k) => (at ? `${at}.${k}` : k)),
          full,
        )})`;
      })
      .join('; ');
  }
  return `config key '${at || '(root)'}': ${issue.message}`;
}

/** Validates a raw config against the experiment's schema; a failure names every bad key. */
export function validateConfig<C>(experiment: Experiment<C>, raw: PlainObject): C {
  const parsed = experiment.config.safeParse(raw);
  if (parsed.success) return parsed.data;
  const schema = experiment.config as z.ZodType;
  const messages = parsed.error.issues.map((issue) => describeIssue(schema, issue));
  throw new UserInputError(messages.join('; '), experiment.id);
}

export interface ConfigSources {
  quick?: boolean;
  file?: string;
  /** `key=value` texts, applied in order. */
  sets?: readonly string[];
}

/** The raw (unvalidated) config layers merged: quick, then file, then overrides. */
export function mergeConfigSources<C>(experiment: Experiment<C>, sources: ConfigSources): PlainObject {
  let raw: PlainObject = {};
  if (sources.quick) raw = deepMerge(raw, experiment.quick as PlainObject);
  if (sources.file) raw = deepMerge(raw, readConfigFile(sources.file));
  for (const text of sources.sets ?? []) {
    const { key, value } = parseOverride(text);
    raw = setPath(raw, key, value);
  }
  return raw;
}

export function resolveConfig<C>(experiment: Experiment<C>, sources: ConfigSources): C {
  return validateConfig(experiment, mergeConfigSources(experiment, sources));
}

/** JSON with sorted keys, so equal configs hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    isPlainObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

export function configHash(config: unknown): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 12);
}

/** One leaf key of an experiment's config, as `alignlab config` lists it. */
export interface ConfigKey {
  key: string;
  type: string;
  /** The validated default (the schema's), and the value under `--quick`. */
  default: unknown;
  quick: unknown;
  /** Range or choices in words, e.g. "[1, 100000]" or "q-learning | sarsa". */
  accepts: string;
  description?: string;
}

interface JsonSchemaNode {
  type?: string | string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  description?: string;
}

function accepts(node: JsonSchemaNode): string {
  if (node.enum) return node.enum.map(String).join(' | ');
  if (node.type === 'array')
    return `list of ${node.items ? `${node.items.type} ${accepts(node.items)}`.trim() : 'values'}`;
  const lo = node.minimum ?? node.exclusiveMinimum;
  const hi = node.maximum ?? node.exclusiveMaximum;
  if (lo === undefined && hi === undefined) return '';
  return `${node.exclusiveMinimum !== undefined ? '(' : '['}${lo ?? '-∞'}, ${hi ?? '∞'}${node.exclusiveMaximum !== undefined ? ')' : ']'}`;
}

/** Every leaf key of the experiment's config with its type, default, quick value and range. */
export function describeConfig<C>(experiment: Experiment<C>): ConfigKey[] {
  const schema = z.toJSONSchema(experiment.config as z.ZodType, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchemaNode;
  const defaults = validateConfig(experiment, {});
  const quick = validateConfig(experiment, mergeConfigSources(experiment, { quick: true }));
  const keys: ConfigKey[] = [];
  const walk = (node: JsonSchemaNode, path: string[]) => {
    if (node.type === 'object' && node.properties) {
      for (const [name, child] of Object.entries(node.properties)) walk(child, [...path, name]);
      return;
    }
    const key = path.join('.');
    keys.push({
      key,
      type: Array.isArray(node.type) ? node.type.join('|') : (node.type ?? 'any'),
      default: getPath(defaults, key),
      quick: getPath(quick, key),
      accepts: accepts(node),
      description: node.description,
    });
  };
  walk(schema, []);
  return keys;
}
