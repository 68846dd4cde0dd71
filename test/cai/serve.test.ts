// `alignlab cai` end to end on the shipped tiny arithmetic checkpoint, in-process and through
// `alignlab serve` on loopback (the OpenAI-compatible path). The model writes nonsense critiques
// (it knows only arithmetic); these tests check the mechanics: files, formats, resumption,
// `prefs import` accepting the output, labels from echo logprobs equal to the in-process ones,
// and the chat endpoint's missing logprobs.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadedModel, loadLocalModel } from '../../src/lm/load.js';
import { createLmServer, type LmServer } from '../../src/lm/server.js';
import { cli } from '../cli/helper.js';

const CHECKPOINT = resolve('models/arithmetic-base');
let loaded: LoadedModel;
let app: LmServer;
let baseURL: string;
const dir = mkdtempSync(join(tmpdir(), 'cai-serve-'));
const prompts = join(dir, 'prompts.txt');
const common = ['--raw-prompts', '--max-tokens', '6', '--seed', '5', '--no-cache', '--json'];

beforeAll(async () => {
  loaded = await loadLocalModel(CHECKPOINT);
  app = createLmServer(loaded.lm, { promptFor: loaded.corpus?.promptFor, defaultStop: loaded.corpus?.stop });
  baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
  writeFileSync(prompts, ['12+7=', '40-13=', '3*4=', '25+25=', '9-8=', '31+2='].join('\n'));
}, 240_000);
afterAll(async () => {
  await app.close();
  loaded.lm.model.dispose();
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));

describe('alignlab cai on the tiny local model and through alignlab serve', { timeout: 240_000 }, () => {
  it('sl with the HF-format example constitution writes SFT and preference files that prefs import accepts; a rerun resumes', async () => {
    const out = join(dir, 'sl-remote');
    const args = ['cai', 'sl', '--constitution', 'data/constitutions/hf-example.json', '--prompts', prompts];
    const first = await cli(
      ...args,
      '--model',
      loaded.lm.id,
      '--base-url',
      baseURL,
      '--rounds',
      '2',
      '--out',
      out,
      ...common,
    );
    expect(first.err).not.toMatch(/Error/);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.out);
    expect(summary).toMatchObject({ command: 'sl', requests: 6, skipped: 0, rounds: 2 });
    expect(summary.sft + summary.empty).toBe(6);
    expect(summary.preferences + summary.unchanged).toBe(6);
    const records = lines(join(out, 'sl-records.jsonl'));
    expect(records.map((r) => r.rounds.length)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(lines(join(out, 'sft.jsonl'))[0]).toHaveProperty('completion');
    if (summary.preferences > 0) {
      const imported = await cli('prefs', 'import', join(out, 'preferences.jsonl'), '--json');
      expect(imported.code).toBe(0);
      expect(JSON.parse(imported.out)).toMatchObject({ pairs: summary.preferences, format: 'standard' });
    }
    // Rerun with one more request: the six finished ones are skipped.
    writeFileSync(join(dir, 'more.txt'), `${readFileSync(prompts, 'utf8')}\n8+8=`);
    const again = await cli(
      ...[
        'cai',
        'sl',
        '--constitution',
        'data/constitutions/hf-example.json',
        '--prompts',
        join(dir, 'more.txt'),
      ],
      ...['--model', loaded.lm.id, '--base-url', baseURL, '--rounds', '2', '--out', out, ...common],
    );
    expect(JSON.parse(again.out)).toMatchObject({ requests: 7, skipped: 6 });
    expect(lines(join(out, 'sl-records.jsonl')).slice(0, 6)).toEqual(records);
  });

  it('sl through the request cache: a second run into a new folder reads the cache and writes the same records', async () => {
    const cache = join(dir, 'cache');
    const args = ['cai', 'sl', '--prompts', prompts, '--model', loaded.lm.id, '--base-url', baseURL];
    const flags = ['--raw-prompts', '--max-tokens', '6', '--seed', '7', '--cache-dir', cache, '--json'];
    const a = await cli(...args, ...flags, '--out', join(dir, 'cached-1'));
    expect(a.code).toBe(0);
    expect(readdirSync(cache).length).toBeGreaterThan(0);
    await app.close(); // the endpoint is gone: only the cache can answer
    try {
      const b = await cli(...args, ...flags, '--retries', '0', '--out', join(dir, 'cached-2'));
      expect(b.err).not.toMatch(/connection/);
      expect(b.code).toBe(0);
      expect(lines(join(dir, 'cached-2', 'sl-records.jsonl'))).toEqual(
        lines(join(dir, 'cached-1', 'sl-records.jsonl')),
      );
    } finally {
      app = createLmServer(loaded.lm, {
        promptFor: loaded.corpus?.promptFor,
        defaultStop: loaded.corpus?.stop,
      });
      baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
    }
  });

  it('label: soft labels from echo logprobs through serve equal the in-process ones; both orders recorded', async () => {
    const input = join(dir, 'pairs.jsonl');
    writeFileSync(
      input,
      [
        { prompt: '12+7=', chosen: '19', rejected: '21' },
        { prompt: '40-13=', chosen: '27', rejected: '53' },
        { prompt: '3*4=', chosen: '12', rejected: '7' },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    // The checkpoint's 20-character context sees only the prompt's tail ("\nThe answer is:"), and its
    // vocabulary has digits but no letters (so " (A)" and " (B)" would be the same tokens): options
    // 1 and 2, the last 15 characters. Each order then gets a real, lopsided probability, the same in
    // both orders (the model cannot see the options) — pure position bias, which the average cancels.
    const args = [
      ...['cai', 'label', '--input', input, '--principle', 'honesty', '--options', '1,2'],
      ...['--max-prompt-chars', '15', '--seed', '1', '--no-cache', '--json'],
    ];
    const remote = await cli(
      ...args,
      '--model',
      loaded.lm.id,
      '--base-url',
      baseURL,
      '--out',
      join(dir, 'label-remote'),
    );
    expect(remote.err).not.toMatch(/Error/);
    expect(remote.code).toBe(0);
    const local = await cli(...args, '--model', CHECKPOINT, '--out', join(dir, 'label-local'));
    expect(local.code).toBe(0);
    expect(JSON.parse(remote.out)).toMatchObject({ command: 'label', pairs: 3, skipped: 0, ties: 3 });
    const a = lines(join(dir, 'label-remote', 'labels.jsonl'));
    const b = lines(join(dir, 'label-local', 'labels.jsonl'));
    a.forEach((r, i) => {
      expect(r.principle).toBe('honesty');
      expect(r.label.method).toBe('logprobs');
      expect(Math.abs(r.label.orders[0] - 0.5)).toBeGreaterThan(0.01); // the echo logprobs differ
      expect(r.label.orders[0] + r.label.orders[1]).toBeCloseTo(1, 9);
      expect(r.label.pA).toBeCloseTo(0.5, 9);
      expect(r.label.orders[0]).toBeCloseTo(b[i].label.orders[0], 3); // through serve = in process
    });
    // The AI preference file feeds the existing pipeline.
    // Ties are left out of the AI preference file (here: all of them).
    expect(readFileSync(join(dir, 'label-remote', 'ai-preferences.jsonl'), 'utf8')).toBe('');
  });

  it('label on a chat endpoint (no logprobs): a clear error, exit 2; the sampled-letter fallback when asked for', async () => {
    const input = join(dir, 'pairs1.jsonl');
    writeFileSync(input, `${JSON.stringify({ prompt: '1+1=', chosen: '2', rejected: '3' })}\n`);
    const args = [
      'cai',
      'label',
      '--input',
      input,
      '--model',
      loaded.lm.id,
      '--base-url',
      baseURL,
      '--api',
      'chat',
      '--no-cache',
    ];
    const refused = await cli(...args, '--out', join(dir, 'label-chat'));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/no log-probabilities.*--fallback sample/);
    const sampled = await cli(
      ...args,
      '--fallback',
      'sample',
      '--samples',
      '2',
      '--max-prompt-chars',
      '12',
      '--json',
      '--out',
      join(dir, 'label-chat-2'),
    );
    expect(sampled.code).toBe(0);
    const [r] = lines(join(dir, 'label-chat-2', 'labels.jsonl'));
    expect(r.label.method).toBe('sample');
    expect([0, 0.25, 0.5, 0.75, 1]).toContain(r.label.pA);
    expect(r.label.orders.every((p: number) => [0, 0.5, 1].includes(p))).toBe(true);
  });

  it("critique then revise as separate commands: the revise step reads the critique step's file", async () => {
    const input = join(dir, 'responses.jsonl');
    writeFileSync(
      input,
      `${JSON.stringify({ prompt: '12+7=', response: '91 sure' })}\n${JSON.stringify({ prompt: '3*4=', response: '7 maybe' })}\n`,
    );
    const out = join(dir, 'cr');
    const flags = ['--model', CHECKPOINT, '--max-tokens', '4', '--no-cache', '--json', '--out', out];
    const c = await cli('cai', 'critique', '--input', input, '--principle', 'honesty', ...flags);
    expect(c.code).toBe(0);
    const critiques = lines(join(out, 'critiques.jsonl'));
    expect(critiques.map((r) => [r.prompt, r.principle])).toEqual([
      ['12+7=', 'honesty'],
      ['3*4=', 'honesty'],
    ]);
    const r = await cli('cai', 'revise', '--input', join(out, 'critiques.jsonl'), ...flags);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ command: 'revise', items: 2, skipped: 0 });
    expect(lines(join(out, 'revisions.jsonl')).every((x) => typeof x.revision === 'string')).toBe(true);
    const again = await cli('cai', 'revise', '--input', join(out, 'critiques.jsonl'), ...flags);
    expect(JSON.parse(again.out)).toMatchObject({ items: 2, skipped: 2 });
  });

  it('bad input: an unknown principle and a broken constitution exit 2 naming the place', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'principles:\n  - name: a\n    critique: x\n');
    const r = await cli(
      'cai',
      'sl',
      '--constitution',
      bad,
      '--prompts',
      prompts,
      '--model',
      CHECKPOINT,
      '--out',
      join(dir, 'x'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml:2: missing field 'principles\.0\.revision'/);
    const p = await cli(
      'cai',
      'label',
      '--input',
      prompts,
      '--principle',
      'nope',
      '--model',
      CHECKPOINT,
      '--out',
      join(dir, 'y'),
    );
    expect(p.code).toBe(2);
    expect(p.err).toMatch(/no principle 'nope'.*harmlessness/);
  });
});
