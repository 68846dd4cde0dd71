/**
 * The CLI's flag parsers, one of each: integers, numbers, seeds and seed ranges, choices, text
 * files. Every failure is a UserInputError that names the flag and what it accepts.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { choicesHint, UserInputError } from '../core/errors.js';

export function parseInteger(text: string, flag: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = /^-?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UserInputError(`'${text}' is not an integer in [${min}, ${max}]`, flag);
  }
  return value;
}

export function parseNumber(text: string, flag: string, min = -Infinity, max = Infinity): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = `${min === -Infinity ? '(-∞' : `[${min}`}, ${max === Infinity ? '∞)' : `${max}]`}`;
    throw new UserInputError(`'${text}' is not a number in ${range}`, flag);
  }
  return value;
}

/** Seeds are unsigned 32-bit words (what `Rng` and numpy's `np.random.seed` take). */
export const SEED_MAX = 2 ** 32 - 1;

/** `--seed <n>`: one seed in [0, 2³² − 1]. */
export function parseSeed(text: string, flag = '--seed'): number {
  return parseInteger(text, flag, 0, SEED_MAX);
}

/** `--seeds <n>` and `--first-seed <s>`, as every command that runs several seeds reads them. */
export interface SeedFlags {
  seeds?: string;
  firstSeed?: string;
}

/** The seeds s, s+1, …, s+n−1 (`fallback` seeds from 0 when the flags are absent). */
export function seedList(flags: SeedFlags, fallback: number): number[] {
  const count = flags.seeds === undefined ? fallback : parseInteger(flags.seeds, '--seeds', 1, 10_000);
  const first =
    flags.firstSeed === undefined
      ? 0
      : parseInteger(flags.firstSeed, '--first-seed', 0, SEED_MAX - count + 1);
  return Array.from({ length: count }, (_, i) => first + i);
}

/** One of a fixed set of words, or a UserInputError that lists them (nearest first). */
export function oneOf<T extends string>(
  text: string,
  choices: readonly T[],
  flag: string,
  what = 'value',
): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UserInputError(`unknown ${what} '${text}' (${choicesHint(choices, text)})`, flag);
  }
  return text as T;
}

/** Commander's accumulator for a repeatable flag. */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** A data file given directly, or a folder an alignlab command wrote it into (`<dir>/<name>`). */
export function dataFile(path: string, name: string): string {
  try {
    if (statSync(path).isDirectory()) return join(path, name);
  } catch {
    // Not there: readText names the path.
  }
  return path;
}

/** A text file's contents, or a UserInputError naming the path (and the line of any invalid UTF-8). */
export function readText(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserInputError(`cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, path);
  }
  return decodeUtf8(bytes, path);
}

/** Strict UTF-8: invalid bytes are an error naming the line and column, never a silent U+FFFD. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const byte = bytes[at]?.toString(16).padStart(2, '0') ?? 'end of file';
    throw new UserInputError(
      `invalid UTF-8 (byte 0x${byte} at column ${at - lineStart + 1}); save the file as UTF-8`,
      `${source}:${line}`,
    );
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const width =
      b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (width === 0 || i + width > bytes.length) return i;
    try {
      decoder.decode(bytes.subarray(i, i + width));
    } catch {
      return i;
    }
    i += width;
  }
  return bytes.length;
}
