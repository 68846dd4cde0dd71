import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/helper.js';
import { tempDir } from '../lab/fixtures.js';

describe('alignlab debate', () => {
  it('debate run: the judge is at chance alone and right after 4 rounds', async () => {
    const r = await cli('debate', 'run', '--games', '300', '--seed', '3', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { accuracy: { rounds: number; accuracy: number }[]; transcripts: unknown[] };
    const at = (k: number) => out.accuracy.find((a) => a.rounds === k)!.accuracy;
    expect(at(0)).toBeGreaterThan(0.38);
    expect(at(0)).toBeLessThan(0.62);
    expect(at(4)).toBeGreaterThan(at(0) + 0.3);
    expect(out.transcripts).toHaveLength(1);
    const text = await cli('debate', 'run', '--games', '20', '--rounds', '0,2');
    expect(text.out).toContain('judge alone');
    expect(text.out).toContain('round 1');
  });

  it('rejects bad input with exit code 2', async () => {
    expect((await cli('debate', 'run', '--rounds', '1,,2')).code).toBe(2);
    expect((await cli('debate', 'run', '--liar', 'sly')).code).toBe(2);
    expect((await cli('debate', 'run', '--digits', '2')).code).toBe(2);
  });

  it('debate show prints the transcripts an addition-debate run stored', async () => {
    const db = join(tempDir(), 'lab.db');
    const run = await cli('run', 'addition-debate', '--quick', '--set', 'games=50', '--workers', '0', '--db', db);
    expect(run.code).toBe(0);
    const show = await cli('debate', 'show', '1', '--db', db, '--limit', '2');
    expect(show.code).toBe(0);
    expect(show.out).toContain('game 2');
    expect(show.out).toContain('judge');
    const json = JSON.parse((await cli('debate', 'show', '1', '--db', db, '--json')).out) as unknown[];
    expect(json).toHaveLength(5);
    expect((await cli('debate', 'show', '99', '--db', db)).code).toBe(2);
  });
});
