/**
 * Command-line flags generated from a zod config schema, so the schema is the one source of
 * every default: each key becomes a flag (`batchSize` → `--batch-size`) whose help line shows
 * the key's type, range and the schema's default, and whose value is checked against the
 * key's schema (a UserInputError naming the flag). Old flag names stay as hidden, deprecated
 * aliases that still work and say so on stderr.
 */
import { type Command, Option } from 'commander';
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import { oneOf, parseInteger, parseNumber, parseSeed } from './flags.js';
import type { CliIo } from './io.js';

export interface FlagSpec {
  /** The flag, e.g. '--lr' (default: the key in kebab case); `--no-x` for a key that defaults to true. */
  flag?: string;
  /** One line of help (default: the schema's description, else the key in words). */
  help?: string;
  /** Old names of the flag: hidden from help, still accepted, with a one-line note on stderr. */
  deprecated?: readonly string[];
  /** A parser for values the JSON types cannot say (e.g. a number or 'inf'), and its type word. */
  parse?: (text: string, flag: string) => unknown;
  type?: string;
}

/** One schema key as a flag: what help shows and how a value is read. */
export interface SchemaFlag {
  key: string;
  flag: string;
  /** Commander's attribute for the flag (`--batch-size` → batchSize, `--no-margin` → margin). */
  attribute: string;
  /** 'integer', 'number', 'boolean', a|b|c for choices, or the spec's type word. */
  type: string;
  /** Range in words, e.g. "(0, ∞)" or "[1, 16]"; '' when any value of the type goes. */
  accepts: string;
  /** The schema's default (undefined when the key is optional without one). */
  default: unknown;
  help: string;
}

interface JsonNode {
  type?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const words = (key: string) => kebab(key).replace(/-/g, ' ');
const camel = (flag: string) =>
  flag.replace(/^--(no-)?/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function range(node: JsonNode): string {
  // zod gives integers the safe-integer limits as bounds: no bound a user meets.
  const bound = (x: number | undefined) =>
    x === undefined || Math.abs(x) >= Number.MAX_SAFE_INTEGER ? undefined : x;
  const lo = bound(node.minimum ?? node.exclusiveMinimum);
  const hi = bound(node.maximum ?? node.exclusiveMaximum);
  if (lo === undefined && hi === undefined) return '';
  const open = node.exclusiveMinimum !== undefined || lo === undefined ? '(' : '[';
  const close = node.exclusiveMaximum !== undefined || hi === undefined ? ')' : ']';
  return `${open}${lo ?? '-∞'}, ${hi ?? '∞'}${close}`;
}

/** The flags of `schema`'s keys (all but `omit`), with types, ranges and defaults read from it. */
export function schemaFlags(
  schema: z.ZodObject,
  specs: Readonly<Record<string, FlagSpec | string>> = {},
  omit: readonly string[] = [],
): SchemaFlag[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonNode>;
  };
  const parsed = schema.safeParse({});
  const defaults = (parsed.success ? parsed.data : {}) as Record<string, unknown>;
  return Object.keys(schema.shape)
    .filter((key) => !omit.includes(key))
    .map((key) => {
      const raw = specs[key];
      const spec: FlagSpec = typeof raw === 'string' ? { help: raw } : (raw ?? {});
      const node = json.properties?.[key] ?? {};
      const type =
        spec.type ??
        (node.enum
          ? node.enum.map(String).join('|')
          : node.type === 'integer'
            ? 'integer'
            : (node.type ?? 'value'));
      const flag = spec.flag ?? `--${kebab(key)}`;
      return {
        key,
        flag,
        attribute: camel(flag),
        type,
        accepts: node.enum ? '' : range(node),
        default: defaults[key],
        help: spec.help ?? node.description ?? words(key),
      };
    });
}

/** Reads one flag's text as its schema key's value, or throws a UserInputError naming the flag. */
function parseValue(text: string, flag: SchemaFlag, field: z.ZodType, spec: FlagSpec, name: string): unknown {
  let value: unknown;
  if (spec.parse) value = spec.parse(text, name);
  else if (flag.key === 'seed') value = parseSeed(text, name);
  else if (flag.type === 'integer')
    value = parseInteger(text, name, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  else if (flag.type === 'number') value = parseNumber(text, name);
  else if (flag.type.includes('|'))
    value = oneOf(text, flag.type.split('|'), name, words(flag.flag.slice(2)));
  else value = text;
  const checked = field.safeParse(value);
  if (!checked.success) {
    const accepts = flag.accepts ? `${flag.type} in ${flag.accepts}` : flag.type;
    throw new UserInputError(`'${text}' is not ${/^[aeiou]/.test(accepts) ? 'an' : 'a'} ${accepts}`, name);
  }
  return value;
}

/** Help line of a schema flag: its words, range, and the schema's default (commander adds the latter). */
function helpLine(flag: SchemaFlag): string {
  return flag.accepts ? `${flag.help}; ${flag.type} in ${flag.accepts}` : flag.help;
}

/**
 * Adds a flag per key of `schema` to `command` (defaults from the schema, shown in --help) and
 * returns a reader that turns the parsed flags into a config object for the schema. Keys the
 * command sets otherwise go in `omit`.
 */
export function addSchemaOptions(
  command: Command,
  io: CliIo,
  schema: z.ZodObject,
  specs: Readonly<Record<string, FlagSpec | string>> = {},
  omit: readonly string[] = [],
): (flags: object) => Record<string, unknown> {
  const flags = schemaFlags(schema, specs, omit);
  for (const flag of flags) {
    const raw = specs[flag.key];
    const spec: FlagSpec = typeof raw === 'string' ? { help: raw } : (raw ?? {});
    const field = schema.shape[flag.key] as z.ZodType;
    if (flag.type === 'boolean') {
      const option = new Option(flag.flag, flag.help);
      command.addOption(flag.flag.startsWith('--no-') ? option : option.default(flag.default ?? false));
    } else {
      const placeholder = flag.type === 'integer' ? 'int' : flag.type;
      const option = new Option(`${flag.flag} <${placeholder}>`, helpLine(flag)).argParser((text: string) =>
        parseValue(text, flag, field, spec, flag.flag),
      );
      command.addOption(flag.default === undefined ? option : option.default(flag.default));
    }
    for (const old of spec.deprecated ?? []) deprecatedAlias(command, io, old, flag.flag);
  }
  return (values) => {
    const config: Record<string, unknown> = {};
    for (const flag of flags) {
      const value = (values as Record<string, unknown>)[flag.attribute];
      if (value !== undefined) config[flag.key] = value;
    }
    return config;
  };
}

/**
 * Keeps `old` working as a hidden alias of the flag `current` (already on `command`): its value
 * goes through `current`'s parser, and a one-line note on stderr names the new flag.
 */
export function deprecatedAlias(command: Command, io: CliIo, old: string, current: string): void {
  const target = command.options.find((o) => o.long === current || o.short === current);
  if (!target) throw new Error(`deprecatedAlias: ${command.name()} has no ${current}`);
  const takesValue = target.required || target.optional;
  command.addOption(new Option(takesValue ? `${old} <value>` : old).hideHelp());
  command.on(`option:${old.replace(/^--?/, '')}`, (value: string | undefined) => {
    io.err(`alignlab: ${old} is deprecated; use ${current}\n`);
    const attribute = target.attributeName();
    const parsed = !takesValue
      ? !target.negate
      : target.parseArg
        ? target.parseArg(value as string, command.getOptionValue(attribute))
        : value;
    command.setOptionValueWithSource(attribute, parsed, 'cli');
  });
}

/** A positional argument kept for old scripts: its value, after a one-line note naming the flag. */
export function deprecatedPositional<T>(
  io: CliIo,
  positional: T | undefined,
  flag: string,
  flagValue: T | undefined,
): T | undefined {
  if (positional === undefined) return flagValue;
  if (flagValue !== undefined)
    throw new UserInputError(`give the checkpoint once (${flag}), not also as an argument`, flag);
  io.err(`alignlab: the checkpoint as an argument is deprecated; use ${flag} <dir>\n`);
  return positional;
}
