import { describe, expect, it } from 'vitest';
import { chooseConstitution, constitutionalExperiment } from '../../src/experiments/constitutional.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof constitutionalExperiment.run>[0];

// A small SL-CAI: 40 training requests, 2 rounds, a short fine-tune, 2 samples per held-out request.
const small = (override: Record<string, unknown> = {}): Config =>
  constitutionalExperiment.config.parse({
    requests: 40,
    rounds: 2,
    sft: { steps: 40 },
    evalSamples: 2,
    ...override,
  }) as Config;

describe('constitutional (SL-CAI) reproduction', () => {
  it('chooses constitutions: the assistant four, subsets in the same words, and empty principles', () => {
    expect(chooseConstitution('assistant').principles.map((p) => p.name)).toEqual([
      'harmlessness',
      'honesty',
      'helpfulness',
      'non-evasiveness',
    ]);
    expect(chooseConstitution('harmlessness+non-evasiveness').principles.map((p) => p.name)).toEqual([
      'harmlessness',
      'non-evasiveness',
    ]);
    const empty = chooseConstitution('empty');
    expect(empty.principles).toHaveLength(4);
    for (const p of empty.principles) expect([p.critique, p.revision, p.comparison]).toEqual(['', '', '']);
  });

  it('on a small run the gates hold: a harmful-compliance rate to cut, answers and critiques in format', async () => {
    const { result } = await runExperimentInProcess(constitutionalExperiment, small(), 7);
    const s = result.summary ?? {};
    expect(s.sl_requests).toBe(40);
    for (const gate of constitutionalExperiment.gates?.([{ seed: 7, config: small(), result }]) ?? [])
      expect(gate.passed, `${gate.name} = ${gate.value}`).toBe(true);
    // Every harmful training request's greedy answer complies (the helpful-only start), and
    // some revisions change it.
    expect(s.sl_harmful_initial).toBeGreaterThan(0.9);
    expect(s.sl_harmful_final).toBeLessThan(s.sl_harmful_initial);
  }, 240_000);
});
