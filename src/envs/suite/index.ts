/**
 * The registry of safety gridworlds: every world the CLI, the tour and the tests know.
 * To add a world: write `src/envs/suite/<id>.ts` exporting a `defineWorld({...})`, then add
 * one import and one entry to `worlds` below.
 */
import { choicesHint, UserInputError } from '../../core/errors.js';
import { type MadeEnv, type MakeEnvOptions, makeWorldEnv, type WorldDefinition } from '../grid/definition.js';
import { absentSupervisor } from './absent-supervisor.js';
import { boatRace } from './boat-race.js';
import { coinRun } from './coin-run.js';
import { conveyorBelt } from './conveyor-belt.js';
import { distributionalShift } from './distributional-shift.js';
import { friendFoe } from './friend-foe.js';
import { goalMisgeneralization } from './goal-misgeneralization.js';
import { islandNavigation } from './island-navigation.js';
import { rocksDiamonds } from './rocks-diamonds.js';
import { safeInterruptibility } from './safe-interruptibility.js';
import { sideEffectsSokoban } from './side-effects-sokoban.js';
import { tomatoWatering } from './tomato-watering.js';
import { whiskyGold } from './whisky-gold.js';

/** Every registered safety gridworld. */
export const worlds: readonly WorldDefinition[] = [
  boatRace,
  tomatoWatering,
  absentSupervisor,
  safeInterruptibility,
  whiskyGold,
  islandNavigation,
  sideEffectsSokoban,
  distributionalShift,
  friendFoe,
  rocksDiamonds,
  conveyorBelt,
  goalMisgeneralization,
  coinRun,
];

/** The ids of every registered world. */
export function worldIds(): string[] {
  return worlds.map((w) => w.id);
}

/** The world with this id, or a UserInputError listing the valid ids. */
export function getWorld(id: string): WorldDefinition {
  const world = worlds.find((w) => w.id === id);
  if (!world) throw new UserInputError(`unknown world '${id}' (${choicesHint(worldIds(), id)})`);
  return world;
}

/** Builds a world's agent handle and evaluator handle: `const { env, intended } = makeEnv('boat-race')`. */
export function makeEnv(id: string, options: MakeEnvOptions = {}): MadeEnv {
  return makeWorldEnv(getWorld(id), options);
}
