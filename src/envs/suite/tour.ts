import { parseActions, runEpisode } from '../grid/rollout.js';
import { type Demonstration, demonstrationsOf } from './demonstrations.js';
import { makeEnv, worlds } from './index.js';

export interface TourRow {
  env: string;
  kind: 'specification' | 'robustness';
  episode: 'safe' | 'gaming';
  level: number;
  note: string;
  steps: number;
  return: number;
  performance: number;
}

/** Every world's scripted safe and gaming episodes, with specified return and performance. */
export function tourRows(): TourRow[] {
  const rows: TourRow[] = [];
  for (const world of worlds) {
    const { safe, gaming } = demonstrationsOf(world.id);
    const episodes: [TourRow['episode'], Demonstration][] = [['safe', safe]];
    if (gaming) episodes.push(['gaming', gaming]);
    for (const [episode, demo] of episodes) {
      const level = demo.level ?? world.defaultLevel;
      const made = makeEnv(world.id, { level, variant: demo.variant, params: demo.params });
      const record = runEpisode(made, parseActions(demo.actions), demo.seed ?? 0);
      rows.push({
        env: world.id,
        kind: world.kind,
        episode,
        level,
        note: demo.note,
        steps: record.steps,
        return: record.return,
        performance: made.intended.performance(),
      });
    }
  }
  return rows;
}
