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
