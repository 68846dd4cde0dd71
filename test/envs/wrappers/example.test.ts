/**
 * examples/wrappers.mjs runs as a user runs it (`node examples/wrappers.mjs`, importing the
 * package's build in dist/: run `npm run build` after editing src/).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../..', import.meta.url);

describe('examples/wrappers.mjs', () => {
  it('trains on a cropped, time-limited world and steps four copies together', () => {
    if (!existsSync(new URL('dist/index.js', ROOT)))
      throw new Error('dist/index.js is missing (npm run build)');
    const out = JSON.parse(
      execFileSync(process.execPath, ['examples/wrappers.mjs'], { cwd: ROOT, encoding: 'utf8' }),
    );
    expect(out).toMatchObject({ world: 'island-navigation', view: '5x5', vectorSteps: 800 });
    expect(Number.isFinite(out.specified) && Number.isFinite(out.intended)).toBe(true);
    // Island navigation ends every episode by step 100: each copy ends one in its first 101 steps.
    expect(out.episodesEnded).toBeGreaterThanOrEqual(4);
  });
});
