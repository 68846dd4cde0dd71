/** Parsing numeric CLI flags into numbers, with UserInputErrors that name the flag and the valid range. */
import { readFileSync } from 'node:fs';
import { UserInputError } from '../core/errors.js';

export function parseInteger(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new UserInputError(`'${text}' is not an integer in [${min}, ${max}]`, flag);
  }
  return Number(text);
}

export function parseNumber(text: string, flag: string, min = -Infinity, max = Infinity): number {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    const range = `${min === -Infinity ? '(-∞' : `[${min}`}, ${max === Infinity ? '∞)' : `${max}]`}`;
    throw new UserInputError(`'${text}' is not a number in ${range}`, flag);
  }
  return value;
}

/** A text file's contents, or a UserInputError naming the path. */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserInputError(`cannot read file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, path);
  }
}
