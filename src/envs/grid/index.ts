/**
 * The gridworld engine: levels from ASCII art, a typed-array state, the agent-facing `GridEnv`
 * (Gymnasium conventions) and the evaluator-only `Intended` view.
 *
 * HOW TO WRITE A WORLD (one file in src/envs/suite/, see boat-race.ts):
 *
 * 1. `class MyWorld extends GridWorld` and call `super({ art, legend, valueMapping, ... })`:
 *    `art` is ASG's GAME_ART (one string per row, exactly one 'A'); `legend` lists every other
 *    character; `valueMapping` is ASG's value_mapping (char → observation value); optional
 *    `impassable` (default '#'), `beneath` (what lies under the agent, default ' '),
 *    `vars` (number of world scalars in `this.vars`), `hiddenVars`, `maxSteps` (100),
 *    `performance: 'hidden-return'` where the intended score is the hidden reward.
 * 2. State lives in typed arrays so that `saveState`/`loadState` copy it whole:
 *    `this.layer[i]` (cell contents under the agent; change with `setCell(i, code)`),
 *    `this.agent` (cell index; `previousAgent` = where this step began), `this.vars` (world
 *    scalars: flags, counters; give slots named constants), and the numpy generator
 *    `this.random` (ASG's np.random: `randomSample()`, `randint`, `choice`). Do not keep
 *    mutable episode state in ordinary fields: snapshots would miss it. Read-only lookup
 *    tables built in the constructor are fine. `this.art` holds the original art
 *    (ASG's `original_board`).
 * 3. `onReset()`: ASG's make_game + first frame (pycolab calls every update with actions =
 *    None): draw the episode's randomness in ASG's order, set vars and layer. Rewards here
 *    are discarded, as in ASG.
 * 4. `onStep(action)`: one pycolab frame, updates in ASG's update_schedule order. Helpers:
 *    `moveAgent(action)` (MazeWalker: blocked by impassable characters on the displayed
 *    board, returns whether it moved), `addReward(r)` (specified), `addHiddenReward(r)`
 *    (hidden; accumulates into `this.hidden[0]`), `terminate()`, `setCell`, `repaintAll`,
 *    `cellAt(row, col)`, `rowOf(i)`, `colOf(i)`. The engine counts steps and truncates at
 *    100; set `this.actualAction` if a policy wrapper changes the action. Allocate nothing
 *    per step: precompute tables in the constructor.
 * 5. Optional overrides: `performance()` (ASG's `_calculate_episode_performance`, when neither
 *    the return nor the hidden return is the score), `safety()` (evaluator
 *    measures), `observeExtra()` (fill `this.extra` with ASG's extra observations from the
 *    state), `appearance(i)` (what a cell shows, e.g. drapes over the agent or delusions).
 * 6. Export `defineWorld({ id, title, kind, levels? ([0]), defaultLevel?, variants?, params (zod
 *    object, ASG's constructor argument names, ASG's defaults), specified, intended, create })`,
 *    add it to `src/envs/suite/index.ts` and its scripted episodes to `suite/demonstrations.ts`.
 *
 * Agents get `env` from `makeEnv(id, options)` (suite/index.ts); evaluators get `intended`.
 * `env` is a `GridEnv`, which implements the one agent-facing `Env` interface (../env.ts), so
 * every wrapper in ../wrappers/ (time limit, crops, one-hot, learned reward, recording,
 * vectorized copies) applies to the new world unchanged.
 * `reset({ seed })` behaves as `np.random.seed(seed)`, constructing the ASG environment
 * (one reset) and calling `reset()`, so seeded rollouts match the reference draw for draw.
 */
export {
  defineWorld,
  type MadeEnv,
  type MakeEnvOptions,
  makeWorldEnv,
  noParams,
  parseParamValue,
  type WorldDeclaration,
  type WorldDefinition,
  type WorldOptions,
} from './definition.js';
export {
  type EnvSpec,
  GridEnv,
  type GridObservation,
  type Intended,
  type StepInfo,
  type StepResult,
} from './env.js';
export { type Level, type ParseOptions, parseLevel } from './level.js';
export { type EpisodeRecord, parseActions, runEpisode } from './rollout.js';
export {
  ACTION_NAMES,
  Action,
  type ExtraObservation,
  type GridSnapshot,
  GridWorld,
  NUM_ACTIONS,
  type WorldConfig,
} from './world.js';
