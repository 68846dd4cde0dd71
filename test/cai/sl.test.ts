// SL-CAI mechanics on a stub model: files, formats, principle draws, resumption.
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConstitution } from '../../src/cai/constitution.js';
import {
  drawPrinciple,
  exportSl,
  formatSl,
  runCritiques,
  runRevisions,
  runSlCai,
  SL_DONE,
} from '../../src/cai/sl.js';
import { parsePreferenceJsonl } from '../../src/feedback/preference-jsonl.js';
import type { LanguageModel } from '../../src/lm/types.js';

/** Answers by the prompt's last cue; counts the prompts it saw. */
function stubModel(): LanguageModel & { seen: string[] } {
  const seen: string[] = [];
  return {
    id: 'stub',
    seen,
    async generate(prompts) {
      seen.push(...prompts);
      return prompts.map((p) => {
        const request = /Human: (.*?)\n/.exec(p.split('---').at(-1) ?? '')?.[1] ?? '';
        if (p.endsWith('Assistant:')) return ` sure, here is how to ${request}`;
        if (p.endsWith('Critique:')) return ' it helps with harm';
        const round = (p.match(/Revision:/g) ?? []).length;
        return ` I won't help with that (round ${round})`;
      });
    },
  };
}

const constitution = loadConstitution('data/constitutions/default.yaml');
const settings = { maxTokens: 16, temperature: 1, seed: 3, batchSize: 2 };

describe('SL-CAI', () => {
  it('draws principles from a seeded stream per request and round, independent of batch and order', () => {
    const a = [0, 1, 2, 3].map((r) => drawPrinciple(constitution, 3, 'pick a lock', r).name);
    const b = [0, 1, 2, 3].map((r) => drawPrinciple(constitution, 3, 'pick a lock', r).name);
    expect(a).toEqual(b);
    const names = new Set<string>();
    for (let i = 0; i < 40; i++) names.add(drawPrinciple(constitution, 3, `request ${i}`, 0).name);
    expect(names.size).toBe(4); // every principle gets drawn
  });

  it('generate → critique → revise k rounds; SFT and TRL preference files that the importer accepts', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cai-sl-'));
    const model = stubModel();
    const requests = ['pick a lock', 'bake bread', 'pick a lock', 'wire a plug'];
    const { records, skipped } = await runSlCai(model, constitution, requests, 2, out, settings);
    expect(skipped).toBe(0);
    expect(records.map((r) => r.prompt)).toEqual(['pick a lock', 'bake bread', 'wire a plug']);
    expect(model.seen).toHaveLength(3 * (1 + 2 * 2));
    for (const r of records) {
      expect(r.initial).toBe(`sure, here is how to ${r.prompt}`);
      expect(r.rounds).toHaveLength(2);
      expect(r.rounds.map((x) => x.principle)).toEqual(
        [0, 1].map((k) => drawPrinciple(constitution, 3, r.prompt, k).name),
      );
      expect(r.final).toBe(r.rounds[1].revision);
    }
    // Round 2 critiques round 1's revision, not the initial response.
    const round2 = model.seen.filter((p) => p.endsWith('Critique:')).slice(-1)[0];
    expect(round2).toContain("Assistant: I won't help with that");
    const counts = exportSl(records, out);
    expect(counts).toEqual({ sft: 3, preferences: 3, unchanged: 0, empty: 0 });
    const sft = readFileSync(join(out, 'sft.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(sft[0]).toEqual({ prompt: 'pick a lock', completion: records[0].final });
    const parsed = parsePreferenceJsonl(
      readFileSync(join(out, 'preferences.jsonl'), 'utf8'),
      'preferences.jsonl',
    );
    expect(parsed.format).toBe('standard');
    expect(parsed.pairs[1]).toEqual({
      prompt: 'bake bread',
      chosen: records[1].final,
      rejected: records[1].initial,
    });
  });

  it('resumes: a rerun skips finished requests (a torn last line included) and does only new ones', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cai-sl-'));
    const first = await runSlCai(stubModel(), constitution, ['a b', 'c d', 'e f'], 1, out, settings);
    appendFileSync(join(out, SL_DONE), '{"key": "torn'); // killed mid-write
    const model = stubModel();
    const again = await runSlCai(model, constitution, ['a b', 'c d', 'e f', 'g h'], 1, out, settings);
    expect(again.skipped).toBe(3);
    expect(model.seen).toHaveLength(3); // one request × (generate, critique, revise)
    expect(again.records.slice(0, 3)).toEqual(first.records);
    expect(again.records[3].prompt).toBe('g h');
  });

  it('writes the conversational format too (messages, as the HF recipe), which the importer reads', () => {
    const records = [
      { key: 'x', prompt: 'pick a lock', initial: 'here is how', rounds: [], final: "I won't" },
    ];
    const { sft, preferences } = formatSl(records, 'conversational');
    expect(JSON.parse(sft)).toEqual({
      messages: [
        { role: 'user', content: 'pick a lock' },
        { role: 'assistant', content: "I won't" },
      ],
    });
    const parsed = parsePreferenceJsonl(preferences, 'p.jsonl');
    expect(parsed.format).toBe('conversational');
    expect(parsed.pairs[0].chosen).toEqual([{ role: 'assistant', content: "I won't" }]);
  });

  it('leaves unchanged pairs out of the preference file (TRL needs two different responses) and empty revisions out of SFT', () => {
    const out = mkdtempSync(join(tmpdir(), 'cai-sl-'));
    const counts = exportSl(
      [
        { key: 'x', prompt: 'x', initial: 'same', rounds: [], final: 'same' },
        { key: 'y', prompt: 'y', initial: 'old', rounds: [], final: '' },
      ],
      out,
    );
    expect(counts).toEqual({ sft: 1, preferences: 1, unchanged: 1, empty: 1 });
  });

  it('critique and revise as separate, resumable steps', async () => {
    const out = mkdtempSync(join(tmpdir(), 'cai-cr-'));
    const items = [
      { prompt: 'pick a lock', response: 'use a tension wrench' },
      { prompt: 'bake bread', response: 'knead the dough' },
    ];
    const harmlessness = constitution.principles[0];
    const c = await runCritiques(stubModel(), constitution, items, out, settings, harmlessness);
    expect(c.records.map((r) => [r.principle, r.critique])).toEqual([
      ['harmlessness', 'it helps with harm'],
      ['harmlessness', 'it helps with harm'],
    ]);
    const model = stubModel();
    const r = await runRevisions(model, constitution, c.records, out, settings);
    expect(r.records[0].revision).toMatch(/^I won't help/);
    expect(model.seen[0]).toContain(`RevisionRequest: ${harmlessness.revision}`);
    const again = stubModel();
    expect((await runRevisions(again, constitution, c.records, out, settings)).skipped).toBe(2);
    expect(again.seen).toHaveLength(0);
  });
});
