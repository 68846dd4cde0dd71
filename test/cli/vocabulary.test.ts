import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DpoConfigSchema } from '../../src/align/dpo.js';
import { PpoConfigSchema } from '../../src/align/ppo.js';
import { RewardTrainConfigSchema } from '../../src/align/reward-model.js';
import { bufferIo } from '../../src/cli/io.js';
import { addSchemaOptions, deprecatedAlias, schemaFlags } from '../../src/cli/schema-options.js';
import { simulatedRaterSchema } from '../../src/feedback/index.js';
import { LmTrainConfigSchema } from '../../src/lm/train.js';
import { cli } from './helper.js';

/** Commander's rendering of a default in help: numbers bare, strings quoted. */
const shown = (value: unknown) => `(default: ${typeof value === 'string' ? `"${value}"` : String(value)})`;

/** The help line of `flag` (commander wraps long lines; rejoin them). */
function helpLine(help: string, flag: string): string {
  const lines = help.split('\n');
  const at = lines.findIndex((l) => l.trimStart().startsWith(`${flag} `) || l.trim() === flag);
  if (at < 0) return '';
  let line = lines[at];
  // Option lines are indented by two spaces; a wrapped description by more.
  for (let i = at + 1; i < lines.length && /^\s{3,}\S/.test(lines[i]); i++) line += ` ${lines[i].trim()}`;
  return line.replace(/\s+/g, ' ');
}

const generated: [string[], z.ZodObject, Record<string, string>][] = [
  [['rlhf'], PpoConfigSchema, { learningRate: '--lr', whitenAdvantages: '--no-whiten-advantages' }],
  [['dpo'], DpoConfigSchema, { learningRate: '--lr', lossType: '--loss' }],
  [
    ['rm', 'train'],
    RewardTrainConfigSchema,
    { learningRate: '--lr', centerRewardsCoefficient: '--center-coef', useMargin: '--no-margin' },
  ],
  [['lm', 'train'], LmTrainConfigSchema, { learningRate: '--lr' }],
  [['prefs', 'generate'], simulatedRaterSchema, { flipProbability: '--flip' }],
];

describe('flags generated from the schemas', () => {
  it.each(generated)(
    '%s --help lists every schema key with its type and the schema default',
    async (words, schema, flags) => {
      const { code, out } = await cli(...words, '--help');
      expect(code).toBe(0);
      const defaults = schema.parse({}) as Record<string, unknown>;
      for (const key of Object.keys(schema.shape)) {
        const flag = flags[key] ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
        const line = helpLine(out, flag);
        expect(line, `${words.join(' ')} ${flag}`).not.toBe('');
        const value = defaults[key];
        if (typeof value === 'boolean' || value === undefined) continue;
        expect(line, `${words.join(' ')} ${flag}`).toContain(shown(value));
      }
    },
  );

  it('shows the schemas’ defaults where the CLI used to have its own (rlhf --lr 3e-4, --max-new-tokens 8; dpo --lr 3e-4)', async () => {
    const rlhf = (await cli('rlhf', '--help')).out;
    expect(helpLine(rlhf, '--lr')).toContain('(default: 0.0003)');
    expect(helpLine(rlhf, '--max-new-tokens')).toContain('(default: 8)');
    expect(helpLine((await cli('dpo', '--help')).out, '--lr')).toContain('(default: 0.0003)');
  });

  it('reads flags into the schema’s keys, checks ranges, and leaves absent keys to the schema', () => {
    const schema = z.strictObject({
      batchSize: z.number().int().min(1).default(32),
      learningRate: z.number().positive().default(3e-4),
      loss: z.enum(['sigmoid', 'ipo']).default('sigmoid'),
      useMargin: z.boolean().default(true),
      seed: z.number().int().default(0),
    });
    const io = bufferIo();
    const command = new Command('x').exitOverride();
    const read = addSchemaOptions(command, io, schema, {
      learningRate: { flag: '--lr' },
      useMargin: { flag: '--no-margin' },
    });
    command.parse(['--batch-size', '8', '--loss', 'ipo', '--no-margin'], { from: 'user' });
    expect(read(command.opts())).toEqual({
      batchSize: 8,
      learningRate: 3e-4,
      loss: 'ipo',
      useMargin: false,
      seed: 0,
    });
    const bad = (args: string[]) => () => {
      const c = new Command('x').exitOverride();
      addSchemaOptions(c, io, schema, { learningRate: { flag: '--lr' } });
      c.parse(args, { from: 'user' });
    };
    expect(bad(['--batch-size', '0'])).toThrow(/--batch-size: '0' is not an integer in \[1, ∞\)/);
    expect(bad(['--lr', '0'])).toThrow(/--lr: '0' is not a number in \(0, ∞\)/);
    expect(bad(['--loss', 'hinge'])).toThrow(/--loss: unknown loss 'hinge'/);
    expect(bad(['--seed', '-1'])).toThrow(/--seed: '-1' is not an integer in \[0, 4294967295\]/);
    expect(
      schemaFlags(schema, { learningRate: { flag: '--lr' } }).map((f) => [f.flag, f.type, f.default]),
    ).toEqual([
      ['--batch-size', 'integer', 32],
      ['--lr', 'number', 3e-4],
      ['--loss', 'sigmoid|ipo', 'sigmoid'],
      ['--use-margin', 'boolean', true],
      ['--seed', 'integer', 0],
    ]);
  });
});

describe('deprecated aliases', () => {
  it('an old flag still sets the new one, parsed alike, with one line on stderr', () => {
    const io = bufferIo();
    const command = new Command('x').exitOverride().requiredOption('--model <dir>', 'checkpoint');
    command.option('--max-new-tokens <n>', 'limit', (t: string) => Number(t), 8);
    deprecatedAlias(command, io, '--policy', '--model');
    deprecatedAlias(command, io, '--max-tokens', '--max-new-tokens');
    command.parse(['--policy', 'ckpt', '--max-tokens', '3'], { from: 'user' });
    expect(command.opts()).toMatchObject({ model: 'ckpt', maxNewTokens: 3 });
    expect(io.stderr()).toBe(
      'alignlab: --policy is deprecated; use --model\nalignlab: --max-tokens is deprecated; use --max-new-tokens\n',
    );
    expect(command.helpInformation()).not.toMatch(/--policy|--max-tokens/);
  });

  it('keeps the old checkpoint flags of rlhf, dpo and rm train working (they reach the checkpoint loader)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'alignlab-vocab-'));
    const missing = join(d, 'no-such-checkpoint');
    const prefs = join(d, 'prefs.jsonl');
    writeFileSync(prefs, `${JSON.stringify({ prompt: 'a', chosen: ' b', rejected: ' c' })}\n`);
    const dpo = await cli('dpo', '--policy', missing, '--data', prefs, '--out', join(d, 'out'));
    expect(dpo.code).toBe(2);
    expect(dpo.err.split('\n')[0]).toBe('alignlab: --policy is deprecated; use --model');
    expect(dpo.err).toContain('no-such-checkpoint');
  });
});

describe('one vocabulary', () => {
  it('--version prints the package version', async () => {
    const { code, out } = await cli('--version');
    expect(code).toBe(0);
    expect(out.trim()).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
  });

  it('prefs generate --out is a folder holding preferences.jsonl; a .jsonl path still works, with a note', async () => {
    const d = mkdtempSync(join(tmpdir(), 'alignlab-vocab-'));
    const folder = await cli('prefs', 'generate', '--count', '5', '--out', join(d, 'prefs'), '--json');
    expect(folder.code).toBe(0);
    expect(JSON.parse(folder.out)).toMatchObject({ pairs: 5, out: join(d, 'prefs', 'preferences.jsonl') });
    expect(
      readFileSync(join(d, 'prefs', 'preferences.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(5);
    const stats = await cli('prefs', 'stats', join(d, 'prefs'), '--json');
    expect(JSON.parse(stats.out)).toMatchObject({ count: 5 });
    const file = await cli('prefs', 'generate', '--count', '5', '--out', join(d, 'old.jsonl'));
    expect(file.code).toBe(0);
    expect(file.err).toContain('--out FILE is deprecated');
    expect(readFileSync(join(d, 'old.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
    mkdirSync(join(d, 'other'));
    writeFileSync(join(d, 'other', 'notes.txt'), 'mine');
    const refused = await cli('prefs', 'generate', '--count', '5', '--out', join(d, 'other'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/holds files alignlab did not write/);
  });

  it('commands that print results take --json (render, tour)', async () => {
    const render = JSON.parse((await cli('render', 'boat-race', '--json')).out);
    expect(render).toMatchObject({ env: 'boat-race', level: 0, variant: null });
    expect(render.text).toContain('#');
    const tour = JSON.parse((await cli('tour', '--json')).out) as { env: string }[];
    expect(tour.map((r) => r.env)).toContain('boat-race');
  });

  it('lm train --json, then --model for lm sample (with --max-new-tokens and --json) and lm eval', async () => {
    const d = mkdtempSync(join(tmpdir(), 'alignlab-vocab-'));
    const ckpt = join(d, 'ckpt');
    const tiny = ['--steps', '2', '--batch-size', '2', '--layers', '1', '--heads', '1', '--width', '8'];
    const train = await cli('lm', 'train', '--out', ckpt, ...tiny, '--json');
    expect(train.code).toBe(0);
    expect(JSON.parse(train.out)).toMatchObject({ out: ckpt, corpus: 'arithmetic', steps: 2 });
    const sample = await cli(
      'lm',
      'sample',
      '--model',
      ckpt,
      '--prompt',
      '1+1=',
      '--max-new-tokens',
      '2',
      '--json',
    );
    expect(sample.err).toBe('');
    const [row] = JSON.parse(sample.out) as { prompt: string; completion: string }[];
    expect(row.prompt).toBe('1+1=');
    const evaluated = await cli('lm', 'eval', '--model', ckpt, '--limit', '2', '--json');
    expect(JSON.parse(evaluated.out)).toMatchObject({ corpus: 'arithmetic', items: 2 });
  });
});
