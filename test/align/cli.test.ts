/** `alignlab rm|rlhf|dpo` end to end on a tiny checkpoint, and their errors on bad input. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/lm/checkpoint.js';
import { cli } from '../cli/helper.js';

const d = mkdtempSync(join(tmpdir(), 'alignlab-align-'));
const at = (name: string) => join(d, name);

beforeAll(async () => {
  expect(
    (
      await cli(
        'lm',
        'train',
        '--corpus',
        'arithmetic',
        '--steps',
        '20',
        '--width',
        '16',
        '--heads',
        '2',
        '--out',
        at('sft'),
      )
    ).code,
  ).toBe(0);
  expect(
    (
      await cli(
        'prefs',
        'generate',
        '--source',
        'lm-arithmetic',
        '--count',
        '60',
        '--confidence-bias',
        '2',
        '--out',
        at('prefs.jsonl'),
      )
    ).code,
  ).toBe(0);
}, 60_000);

describe('alignlab rm, rlhf, dpo', () => {
  it('trains a reward model, evaluates it, and runs PPO and DPO to loadable checkpoints', async () => {
    const rm = await cli(
      'rm',
      'train',
      '--data',
      at('prefs.jsonl'),
      '--init',
      at('sft'),
      '--out',
      at('rm'),
      '--epochs',
      '1',
      '--ensemble',
      '2',
    );
    expect(rm.code).toBe(0);
    expect(rm.out).toMatch(/held out\s+6\s/);
    const ev = await cli('rm', 'eval', '--model', at('rm'), '--data', at('prefs.jsonl'), '--json');
    expect(ev.code).toBe(0);
    expect(JSON.parse(ev.out)).toMatchObject({ pairs: 60 });
    expect(JSON.parse(ev.out).truthAccuracy).toBeGreaterThanOrEqual(0);

    const rl = await cli(
      'rlhf',
      '--policy',
      at('sft'),
      '--reward',
      at('rm'),
      '--out',
      at('rl'),
      '--steps',
      '3',
      '--batch-size',
      '8',
      '--save-every',
      '2',
    );
    expect(rl.code).toBe(0);
    expect(rl.out).toMatch(/objective\/kl/);
    const lines = readFileSync(join(at('rl'), 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(3);
    expect(Object.keys(JSON.parse(lines[0]))).toEqual(
      expect.arrayContaining(['objective/scores', 'policy/clipfrac_avg', 'loss/value_avg']),
    );
    const policy = loadCheckpoint(at('rl'));
    expect(policy.model.config.scalarHeads).toEqual([]);
    policy.model.dispose();

    const dpo = await cli(
      'dpo',
      '--policy',
      at('sft'),
      '--data',
      at('prefs.jsonl'),
      '--out',
      at('dpo'),
      '--steps',
      '2',
      '--batch-size',
      '8',
    );
    expect(dpo.code).toBe(0);
    expect(dpo.out).toMatch(/rewards\/accuracies/);
    loadCheckpoint(at('dpo')).model.dispose();
    expect(existsSync(`${at('dpo')}.tmp-${process.pid}`)).toBe(false);
  }, 120_000);

  it('names the line of a bad preference file and the path of a missing model', async () => {
    const bad = at('bad.jsonl');
    writeFileSync(
      bad,
      '{"prompt": "1+1=", "chosen": "2 sure", "rejected": "3 sure"}\n{"prompt": "1+2=", "chosen": 3, "rejected": "4 sure"}\n',
    );
    const r = await cli('dpo', '--policy', at('sft'), '--data', bad, '--out', at('x'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.jsonl:2.*chosen/);
    writeFileSync(bad, '');
    expect((await cli('rm', 'train', '--data', bad, '--out', at('x'))).err).toMatch(/empty/);
    const dup = '{"prompt": "1+1=", "chosen": "2 sure", "rejected": "3 sure"}\n';
    writeFileSync(bad, dup + dup);
    expect((await cli('rm', 'train', '--data', bad, '--out', at('x'))).err).toMatch(
      /bad\.jsonl:2.*duplicate/,
    );
    const missing = await cli('rlhf', '--policy', at('sft'), '--reward', at('nothing'), '--out', at('x'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nothing.*reward\.json/);
    expect(
      (
        await cli(
          'dpo',
          '--policy',
          at('sft'),
          '--data',
          at('prefs.jsonl'),
          '--out',
          at('x'),
          '--loss',
          'hinge',
        )
      ).err,
    ).toMatch(/unknown loss 'hinge'/);
  }, 60_000);
});
