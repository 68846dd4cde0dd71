/**
 * A checkpoint is a directory: `model.safetensors` (weights by nanoGPT name, float32),
 * `config.json` (the transformer config, the corpus it learned and how it was trained) and
 * `tokenizer.json`. Loading rebuilds the exact model: every weight bit-for-bit.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import { createTransformer, type Transformer, TransformerConfigSchema } from '../nn/index.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { type Tokenizer, tokenizerFromJson } from './tokenizer.js';

export const checkpointFiles = {
  weights: 'model.safetensors',
  config: 'config.json',
  tokenizer: 'tokenizer.json',
};

const CheckpointConfigSchema = z.object({
  format: z.literal('alignlab-lm'),
  version: z.literal(1),
  model: TransformerConfigSchema,
  /** The corpus the model was trained on, so eval and serve format prompts the same way. */
  corpus: z.object({ name: z.string(), seed: z.number().int() }).optional(),
  /** Free-form record of the training run (steps, loss, seconds, backend). */
  training: z.record(z.string(), z.unknown()).optional(),
});
export type CheckpointConfig = z.output<typeof CheckpointConfigSchema>;

/** A model with its tokenizer and config, as a checkpoint folder holds them. */
export interface Checkpoint {
  model: Transformer;
  tokenizer: Tokenizer;
  config: CheckpointConfig;
}

/** The manifest a command leaves in its output folder (`{"format":"alignlab-output","command":...}`). */
export const OUTPUT_MANIFEST = '.alignlab-output.json';

/**
 * Writes a command's output folder without touching anything else in it: `write` fills a
 * temporary folder inside `dir`, then each entry it made replaces the entry of that name in
 * `dir` by rename (a file at once; a folder by moving the old one aside first). Files the
 * command does not write are never deleted or replaced. A run stopped midway leaves every file
 * whole (at worst a stray `.alignlab-tmp-` folder). With `command`, the folder's manifest
 * records it, so the same command may write there again.
 */
export function writeDirectoryAtomically(
  dir: string,
  write: (tmp: string) => void,
  options: { command?: string } = {},
): void {
  const target = resolve(dir);
  if (existsSync(target) && !statSync(target).isDirectory()) {
    throw new UserInputError('is a file, not a folder (nothing was written)', dir);
  }
  mkdirSync(target, { recursive: true });
  const tmp = join(target, `.alignlab-tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    write(tmp);
    if (options.command !== undefined) {
      writeFileSync(
        join(tmp, OUTPUT_MANIFEST),
        `${JSON.stringify({ format: 'alignlab-output', command: options.command })}\n`,
      );
    }
    for (const name of readdirSync(tmp)) replaceEntry(join(tmp, name), join(target, name));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Moves `from` to `to`, replacing what is there (rename over a file is atomic; a folder moves aside first). */
function replaceEntry(from: string, to: string): void {
  if (!existsSync(to) || !lstatSync(to).isDirectory()) {
    renameSync(from, to);
    return;
  }
  const old = join(dirname(to), `.alignlab-old-${process.pid}-${basename(to)}`);
  renameSync(to, old);
  renameSync(from, to);
  rmSync(old, { recursive: true, force: true });
}

/** Writes a checkpoint folder atomically. */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  mkdirSync(dir, { recursive: true });
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, v] of checkpoint.model.namedWeights()) {
    tensors.set(name, { shape: v.shape, data: v.dataSync() as Float32Array });
  }
  writeFileSync(join(dir, checkpointFiles.weights), writeSafetensors(tensors, { format: 'pt' }));
  const config = { ...checkpoint.config, model: checkpoint.model.config };
  writeFileSync(join(dir, checkpointFiles.config), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(dir, checkpointFiles.tokenizer), `${JSON.stringify(checkpoint.tokenizer.toJSON())}\n`);
}

function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserInputError(
      code === 'ENOENT'
        ? 'missing (is this a checkpoint directory from `alignlab lm train`?)'
        : `cannot read (${code})`,
      path,
    );
  }
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readBytes(path).toString('utf8'));
  } catch (error) {
    if (error instanceof UserInputError) throw error;
    throw new UserInputError(`not valid JSON (${(error as Error).message})`, path);
  }
}

/** Reads a checkpoint folder that `saveCheckpoint` wrote. */
export function loadCheckpoint(dir: string): Checkpoint {
  const configPath = join(dir, checkpointFiles.config);
  const parsed = CheckpointConfigSchema.safeParse(readJson(configPath));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(
      `not an alignlab-lm config: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      configPath,
    );
  }
  const tokenizerPath = join(dir, checkpointFiles.tokenizer);
  const tokenizer = tokenizerFromJson(readJson(tokenizerPath), tokenizerPath);
  if (tokenizer.vocabSize !== parsed.data.model.vocabSize) {
    throw new UserInputError(
      `tokenizer has ${tokenizer.vocabSize} tokens but the model's vocabSize is ${parsed.data.model.vocabSize}`,
      tokenizerPath,
    );
  }
  const weightsPath = join(dir, checkpointFiles.weights);
  const bytes = readBytes(weightsPath);
  const model = createTransformer(parsed.data.model);
  try {
    const expected = model.namedWeights();
    const { tensors } = readSafetensors(bytes, weightsPath, { expected: expected.keys() });
    for (const [name, v] of expected) {
      const t = tensors.get(name);
      if (!t) throw new UserInputError(`weight '${name}' is missing`, weightsPath);
      if (t.dtype !== 'F32' || t.shape.join() !== v.shape.join()) {
        throw new UserInputError(
          `weight '${name}' is ${t.dtype} [${t.shape}], expected F32 [${v.shape}]`,
          weightsPath,
        );
      }
      const values = t.data as Float32Array;
      const bad = values.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) {
        throw new UserInputError(
          `weight '${name}' holds ${values[bad]} at index ${bad}; a model with NaN or infinite weights is refused`,
          weightsPath,
        );
      }
      tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
    }
    const extra = [...tensors.keys()].filter((n) => !expected.has(n));
    if (extra.length > 0)
      throw new UserInputError(`unexpected weights: ${extra.slice(0, 3).join(', ')}`, weightsPath);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, tokenizer, config: parsed.data };
}
