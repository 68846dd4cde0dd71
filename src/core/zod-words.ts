/**
 * zod issues in plain words: "a string", "a list of at least 1 item", "one of: a, b", for
 * messages like "field 'chosen.0.content' must be a string, got a list" (instead of zod's own
 * "Invalid input: expected string, received array").
 */
import type { z } from 'zod';

const nouns: Record<string, string> = {
  array: 'a list',
  object: 'an object',
  int: 'an integer',
  integer: 'an integer',
  undefined: 'absent',
};

/** What the value at the issue's path should have been, as a noun phrase. */
export function expectedWords(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return nouns[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small': {
      const n = Number(issue.minimum);
      if (issue.origin === 'array') return `a list of at least ${n} item${n === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `a text of at least ${n} character${n === 1 ? '' : 's'}`;
      return `a number ${issue.inclusive ? '>=' : '>'} ${n}`;
    }
    case 'too_big': {
      const n = Number(issue.maximum);
      if (issue.origin === 'array') return `a list of at most ${n} item${n === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return `a text of at most ${n} character${n === 1 ? '' : 's'}`;
      return `a number ${issue.inclusive ? '<=' : '<'} ${n}`;
    }
    case 'invalid_value':
      return `one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union':
      return 'a value of another type';
    case 'invalid_format':
      return `a valid ${issue.format}`;
    case 'not_multiple_of':
      return `a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message.replace(/^Invalid input: /, '').toLowerCase();
  }
}

/** How a JSON value reads in a message: "a list", "a string", "null". */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return `the number ${value}`;
  return typeof value === 'string' ? 'a string' : String(value);
}

/** One plain sentence for an issue on `input`: "field 'a.0' must be a string, got a list". */
export function plainIssue(issue: z.core.$ZodIssue, input: unknown): string {
  return plainWords(deepest(issue), input);
}

/** For a union, the issue of the branch that got furthest into the value (its path made whole). */
export function deepest(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  const branches = issue.errors.filter((b) => b.length > 0).map((b) => deepest(b[0]));
  const best = branches.reduce<z.core.$ZodIssue | undefined>(
    (a, b) => (a === undefined || b.path.length > a.path.length ? b : a),
    undefined,
  );
  if (best === undefined || best.path.length === 0) return issue;
  return { ...best, path: [...issue.path, ...best.path] } as z.core.$ZodIssue;
}

function plainWords(issue: z.core.$ZodIssue, input: unknown): string {
  const path = issue.path.map(String);
  let value: unknown = input;
  for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
  const field = path.length === 0 ? 'the body' : `field '${path.join('.')}'`;
  if (issue.code === 'unrecognized_keys') return `${field} has unknown field(s): ${issue.keys.join(', ')}`;
  if (issue.code === 'custom') return `${field}: ${issue.message}`;
  if (value === undefined && path.length > 0) return `missing ${field}`;
  return `${field} must be ${expectedWords(issue)}, got ${describeValue(value)}`;
}
