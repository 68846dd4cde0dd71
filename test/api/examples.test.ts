/**
 * The scripts in examples/ run as a user runs them: `node examples/<name>.mjs`, importing
 * 'alignlab' through the package's self-reference, which resolves to the build in dist/
 * (`npm ci` builds it through `prepare`; after editing src/, `npm run build`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url);

function runExample(name: string): string {
  if (!existsSync(new URL('dist/index.js', ROOT))) {
    throw new Error('dist/index.js is missing: the examples import the built package (npm run build)');
  }
  return execFileSync(process.execPath, [`examples/${name}`], { cwd: ROOT, encoding: 'utf8' });
}

describe('examples', () => {
  it('train-agent.mjs trains on boat-race and prints both objectives', () => {
    const out = JSON.parse(runExample('train-agent.mjs'));
    expect(out.world).toBe('boat-race');
    expect(Number.isFinite(out.specified) && Number.isFinite(out.intended)).toBe(true);
  });

  it('new-world.mjs: the learner crosses the flower bed, paid by the reward and charged by the intended score', () => {
    // Hand count: straight across is 4 steps (-4) + 10 at the goal = 6 specified; the intended
    // score also charges 2 flowers × -5 = -4. Walking around (6 steps) would score 4 on both.
    expect(JSON.parse(runExample('new-world.mjs'))).toEqual({
      world: 'flower-bed',
      specified: 6,
      intended: -4,
    });
  });

  it('reward-model.mjs trains on the shipped TRL JSONL and ranks unseen pairs better than chance', () => {
    const out = JSON.parse(runExample('reward-model.mjs'));
    expect(out).toMatchObject({ trainPairs: 31, testPairs: 8 });
    // The polite/rude signal is plain; 7 of 8 on this machine. Chance is 0.5.
    expect(out.testAccuracy).toBeGreaterThan(0.5);
  });

  it('reproduce.mjs prints a verdict and each check per seed', () => {
    const lines = runExample('reproduce.mjs').trim().split('\n');
    expect(lines[0]).toMatch(/^island-navigation: (holds|fails|inconclusive)$/);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}.+: \d+\/3 seeds$/);
  });
});
