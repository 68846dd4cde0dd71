/**
 * Resumable batch work: each finished item is appended to a JSONL "done" file in the output
 * folder as soon as its batch ends, so a rerun (after an interrupt or a crash) skips the items
 * already there and does only the rest. A torn last line (killed mid-write) is ignored.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserInputError } from '../core/errors.js';

/** FNV-1a over a string: a stable 32-bit key for seeding and de-duplication. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The records of a done file, by key (later lines win). */
export function readDone<T extends { key: string }>(path: string): Map<string, T> {
  const done = new Map<string, T>();
  if (!existsSync(path)) return done;
  const rows = readFileSync(path, 'utf8').split('\n');
  rows.forEach((row, i) => {
    if (row.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch {
      if (i === rows.length - 1 || rows.slice(i + 1).every((r) => r.trim() === '')) return; // torn last line
      throw new UserInputError('invalid JSON in the done file (delete it to start over)', `${path}:${i + 1}`);
    }
    const key = (value as { key?: unknown }).key;
    if (typeof key !== 'string')
      throw new UserInputError(
        'a done record has no "key" (delete the file to start over)',
        `${path}:${i + 1}`,
      );
    done.set(key, value as T);
  });
  return done;
}

export interface ResumableOptions {
  batchSize?: number;
  /** After each batch: items finished (skipped ones included) of total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs `work` over the items not yet in `donePath`, a batch at a time, appending each result;
 * returns every item's record (old and new) in input order, and how many were skipped.
 */
export async function runResumable<I, O extends { key: string }>(
  items: readonly I[],
  keyOf: (item: I) => string,
  donePath: string,
  work: (batch: I[]) => Promise<O[]>,
  options: ResumableOptions = {},
): Promise<{ records: O[]; skipped: number }> {
  mkdirSync(dirname(donePath), { recursive: true });
  const done = readDone<O>(donePath);
  const todo = items.filter((item) => !done.has(keyOf(item)));
  const skipped = items.length - todo.length;
  const batchSize = options.batchSize ?? 16;
  options.onProgress?.(skipped, items.length);
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    const results = await work(batch);
    appendFileSync(donePath, results.map((r) => `${JSON.stringify(r)}\n`).join(''));
    for (const r of results) done.set(r.key, r);
    options.onProgress?.(skipped + start + batch.length, items.length);
  }
  return { records: items.map((item) => done.get(keyOf(item)) as O), skipped };
}
