/**
 * The eval log: one versioned JSON file per run (`<dir>/<runId>.json`, `format: "alignlab-eval-log"`,
 * `version: 1`) with the task, the model, the config, every sample (input, messages, output,
 * scores, metadata, timings, token counts, errors) and the summary. The CLI keeps them beside
 * the lab store (`.alignlab/evals/`). Written to a temporary file and renamed: a reader never
 * sees half a log, and a run killed midway leaves its last checkpoint (status `running`).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../core/errors.js';
import type { RunSummary } from './stats.js';
import type { SampleRecord } from './types.js';

export const LOG_FORMAT = 'alignlab-eval-log';
export const LOG_VERSION = 1;

export interface EvalLog {
  format: typeof LOG_FORMAT;
  version: typeof LOG_VERSION;
  runId: string;
  status: 'running' | 'done' | 'interrupted';
  task: {
    name: string;
    description: string;
    params: Record<string, unknown>;
    scorers: { name: string; binary: boolean; higherIsBetter: boolean }[];
  };
  model: { id: string; provider: string; fingerprint: string };
  config: {
    epochs: number;
    limit?: number;
    temperature: number;
    maxTokens: number;
    seed: number;
    cache: boolean;
    concurrency: number;
    retries: number;
    timeoutMs: number;
  };
  startedAt: string;
  finishedAt?: string;
  seconds?: number;
  samples: SampleRecord[];
  summary?: RunSummary;
}

export function writeLog(dir: string, log: EvalLog): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${log.runId}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(log, null, 1)}\n`);
  renameSync(tmp, path);
  return path;
}

/** Reads a log file, refusing other formats and newer versions with an error naming the file. */
export function readLog(path: string): EvalLog {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserInputError(`not a readable JSON eval log (${(error as Error).message})`, path);
  }
  const log = parsed as Partial<EvalLog>;
  if (log.format !== LOG_FORMAT)
    throw new UserInputError(`not an alignlab eval log (format '${String(log.format)}')`, path);
  if (log.version !== LOG_VERSION)
    throw new UserInputError(
      `eval log version ${String(log.version)}; this alignlab reads version ${LOG_VERSION}`,
      path,
    );
  if (!Array.isArray(log.samples)) throw new UserInputError('eval log has no samples array', path);
  return log as EvalLog;
}

/** The logs in a folder, newest first (unreadable files are skipped). */
export function listLogs(dir: string): { path: string; log: EvalLog }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .flatMap((n) => {
      try {
        return [{ path: join(dir, n), log: readLog(join(dir, n)) }];
      } catch {
        return [];
      }
    })
    .sort((a, b) => b.log.startedAt.localeCompare(a.log.startedAt) || b.log.runId.localeCompare(a.log.runId));
}

/** Finds a run by id (or unique id prefix) in a folder, or a log by its path. */
export function findLog(dir: string, idOrPath: string): { path: string; log: EvalLog } {
  if (idOrPath.endsWith('.json')) return { path: idOrPath, log: readLog(idOrPath) };
  const logs = listLogs(dir);
  const exact = logs.find((l) => l.log.runId === idOrPath);
  if (exact) return exact;
  const prefixed = logs.filter((l) => l.log.runId.startsWith(idOrPath));
  if (prefixed.length === 1) return prefixed[0];
  if (prefixed.length > 1)
    throw new UserInputError(`'${idOrPath}' matches ${prefixed.length} runs; give more of the id`, 'run id');
  throw new UserInputError(`no eval run '${idOrPath}' in ${dir} (alignlab eval list shows them)`, 'run id');
}
