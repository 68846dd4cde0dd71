import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { playInteractive } from '../../src/cli/commands/debate.js';
import { bufferIo } from '../../src/cli/io.js';
import { Rng } from '../../src/core/rng.js';
import { cli } from '../cli/helper.js';
import { tempDir } from '../lab/fixtures.js';

describe('alignlab debate', () => {
  it('debate run: the judge is at chance alone and right after 4 rounds', async () => {
    const r = await cli('debate', 'run', '--games', '300', '--seed', '3', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as {
      accuracy: { rounds: number; accuracy: number }[];
      transcripts: unknown[];
    };
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
    const run = await cli(
      'run',
      'addition-debate',
      '--quick',
      '--set',
      'games=50',
      '--workers',
      '0',
      '--db',
      db,
    );
    expect(run.code).toBe(0);
    const show = await cli('debate', 'show', '1', '--db', db, '--limit', '2');
    expect(show.code).toBe(0);
    expect(show.out).toContain('game 2');
    expect(show.out).toContain('judge');
    const json = JSON.parse((await cli('debate', 'show', '1', '--db', db, '--json')).out) as unknown[];
    expect(json).toHaveLength(5);
    expect((await cli('debate', 'show', '99', '--db', db)).code).toBe(2);
  });

  it('debate play: verifying the liar’s stuck column tells the person which side is right', async () => {
    let correct = 0;
    for (let seed = 1; seed <= 10; seed++) {
      // First pass: read the claims, find the side that could not name a carry-in.
      const probe = bufferIo();
      const answers = ['', 'A'][Symbol.iterator]();
      await playInteractive(
        probe,
        (async function* () {
          yield* answers;
        })(),
        { digits: 6, rounds: 6, rng: new Rng(seed) },
      );
      const stuck = /round \d+ {2}([AB]): cannot name a carry-in at column (\d+)/.exec(probe.stdout());
      expect(stuck, probe.stdout()).not.toBeNull();
      const [, seat, column] = stuck!;
      const honest = seat === 'A' ? 'B' : 'A';
      const io = bufferIo();
      const lines = (async function* () {
        yield `${column} ${seat}`;
        yield honest;
      })();
      const r = await playInteractive(io, lines, { digits: 6, rounds: 6, rng: new Rng(seed) });
      expect(io.stdout()).toContain('FAILS');
      if (r.correct) correct++;
    }
    expect(correct).toBe(10);
  });
});
