import { UserInputError } from '../../core/errors.js';
import type { MadeEnv } from './definition.js';

const LETTERS: Record<string, number> = { u: 0, d: 1, l: 2, r: 3, n: 4 };

/**
 * Parses an action sequence: comma-separated integers 0-4 or letters u d l r n, or a bare
 * run of letters ("rrdd"). Throws a UserInputError naming the bad token.
 */
export function parseActions(text: string): number[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const tokens = /^[udlrn]+$/i.test(trimmed) ? [...trimmed] : trimmed.split(',').map((t) => t.trim());
  return tokens.map((token, index) => {
    const lower = token.toLowerCase();
    if (lower in LETTERS) return LETTERS[lower];
    if (/^[0-4]$/.test(token)) return Number(token);
    throw new UserInputError(
      `action ${index + 1} is '${token}' (use 0-4 or u d l r n: 0/u up, 1/d down, 2/l left, 3/r right, 4/n noop)`,
      '--actions',
    );
  });
}

/** One episode's record in the shape of `alignlab rollout --json` (minus env and level). */
export interface EpisodeRecord {
  steps: number;
  rewards: number[];
  return: number;
  hiddenReturn: number;
  /** ASG's episode performance; null while the episode has not ended (ASG has none then). */
  performance: number | null;
  terminated: boolean;
  truncated: boolean;
}

/** Resets (seeded if given) and plays `actions`; actions after the episode ends are ignored. */
export function runEpisode(made: MadeEnv, actions: readonly number[], seed?: number): EpisodeRecord {
  const { env, intended } = made;
  env.reset(seed === undefined ? {} : { seed });
  const rewards: number[] = [];
  let terminated = false;
  let truncated = false;
  let total = 0;
  for (const action of actions) {
    const result = env.step(action);
    rewards.push(result.reward);
    total += result.reward;
    terminated = result.terminated;
    truncated = result.truncated;
    if (terminated || truncated) break;
  }
  return {
    steps: rewards.length,
    rewards,
    return: total,
    hiddenReturn: intended.hiddenReward(),
    performance: intended.episodeOver() ? intended.performance() : null,
    terminated,
    truncated,
  };
}
