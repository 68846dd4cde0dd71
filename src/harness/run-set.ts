/**
 * A run set: one YAML file naming tasks and models, every task run on every model. Each pair
 * has a fixed run id (`<set>--<task>--<model>`), so a rerun finds its log: a finished pair with
 * the same config is skipped, an unfinished one resumes (its scored samples are kept, the rest —
 * errored ones included — run again).
 *
 *   name: nightly            # optional; default: the file's name
 *   epochs: 3                # defaults for every pair (each task entry may override)
 *   limit: 50
 *   temperature: 0
 *   tasks:
 *     - sycophancy-arithmetic
 *     - { name: "mwe:data/evals/model-written-evals/corrigible-neutral-HHH.sample.jsonl", behavior: good }
 *   models:
 *     - models/arithmetic-base
 *     - { model: tiny, baseURL: "http://127.0.0.1:8000/v1", api: completions }
 */
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import { deepest, plainIssue } from '../core/zod-words.js';
import type { ModelSpec } from './models.js';
import type { TaskSpec } from './tasks/index.js';

const taskEntry = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      style: z.enum(['corpus', 'chat']).optional(),
      items: z.number().int().min(1).optional(),
      behavior: z.enum(['good', 'bad']).optional(),
      inputField: z.string().optional(),
      targetField: z.string().optional(),
      idField: z.string().optional(),
      choicesField: z.string().optional(),
      solver: z.string().optional(),
      scorer: z.string().optional(),
      system: z.string().optional(),
      epochs: z.number().int().min(1).max(1000).optional(),
      limit: z.number().int().min(1).optional(),
      failUnder: z.number().optional(),
    })
    .strict(),
]);

const modelEntry = z.union([
  z.string().min(1),
  z
    .object({
      model: z.string().min(1),
      baseURL: z.string().url().optional(),
      apiKeyEnv: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .optional(),
      api: z.enum(['completions', 'chat']).optional(),
    })
    .strict(),
]);

export const RunSetSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/)
      .optional(),
    epochs: z.number().int().min(1).max(1000).default(1),
    limit: z.number().int().min(1).optional(),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().min(1).optional(),
    seed: z.number().int().min(0).default(0),
    concurrency: z.number().int().min(1).max(1000).default(10),
    tasks: z.array(taskEntry).min(1),
    models: z.array(modelEntry).min(1),
  })
  .strict();

export interface RunSetPair {
  runId: string;
  task: TaskSpec;
  model: ModelSpec;
  epochs: number;
  limit?: number;
  failUnder?: number;
}

export interface RunSet {
  name: string;
  temperature: number;
  maxTokens?: number;
  seed: number;
  concurrency: number;
  pairs: RunSetPair[];
}

const slug = (s: string) =>
  s
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);

export function parseRunSet(text: string, source: string): RunSet {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UserInputError(`not YAML (${(error as Error).message.split('\n')[0]})`, source);
  }
  const parsed = RunSetSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = deepest(parsed.error.issues[0]);
    throw new UserInputError(plainIssue(issue, raw), `${source}: ${issue.path.join('.') || '(top level)'}`);
  }
  const cfg = parsed.data;
  const name = cfg.name ?? slug(basename(source, extname(source)));
  const pairs: RunSetPair[] = [];
  for (const t of cfg.tasks) {
    const task: TaskSpec & { epochs?: number; limit?: number; failUnder?: number } =
      typeof t === 'string' ? { name: t } : { ...t };
    for (const m of cfg.models) {
      const model: ModelSpec = typeof m === 'string' ? { model: m } : { ...m };
      const { epochs, limit, failUnder, ...taskSpec } = task;
      pairs.push({
        runId: `${name}--${slug(task.name)}--${slug(basename(model.model))}`,
        task: taskSpec,
        model,
        epochs: epochs ?? cfg.epochs,
        limit: limit ?? cfg.limit,
        failUnder,
      });
    }
  }
  const ids = new Set<string>();
  for (const p of pairs) {
    if (ids.has(p.runId)) throw new UserInputError(`two entries make the same run '${p.runId}'`, source);
    ids.add(p.runId);
  }
  return {
    name,
    temperature: cfg.temperature,
    maxTokens: cfg.maxTokens,
    seed: cfg.seed,
    concurrency: cfg.concurrency,
    pairs,
  };
}
