import { NumpyRandomState } from '../../core/numpy-random.js';
import { parseLevel } from './level.js';

/** ASG's action numbering (safety_game.Actions). */
export const Action = { UP: 0, DOWN: 1, LEFT: 2, RIGHT: 3, NOOP: 4 } as const;
/** Actions the engine carries out: up, down, left, right and noop. */
export const NUM_ACTIONS = 5;
/** Names of the actions, by number. */
export const ACTION_NAMES = ['up', 'down', 'left', 'right', 'noop'] as const;

/** ASG's extra observations (e.g. `supervisor`, `exploration`): agent-visible by design. */
export type ExtraObservation = Record<string, number | boolean | null>;

/** A world's art and the engine settings it passes to `GridWorld`'s constructor. */
export interface WorldConfig {
  /** The level art, one string per row. */
  readonly art: readonly string[];
  /** Every character the art may hold besides the agent. */
  readonly legend: string;
  /** ASG's `value_mapping`: character → observation value (small integers). */
  readonly valueMapping: Readonly<Record<string, number>>;
  /** Characters the agent cannot enter (MazeWalker's `impassable`); default '#'. */
  readonly impassable?: string;
  /** What lies beneath the agent's start cell (ASG's `what_lies_beneath`); default ' '. */
  readonly beneath?: string;
  readonly agent?: string;
  /** Episode length limit (ASG's `max_iterations`); default 100. */
  readonly maxSteps?: number;
  /** Number of world scalars (`this.vars`) that snapshots carry. */
  readonly vars?: number;
  /** Number of evaluator-only scalars (`this.hidden`, after slot 0 = hidden return). */
  readonly hiddenVars?: number;
  /**
   * What `performance()` reports (ASG's `_calculate_episode_performance`): the episode's
   * specified `'return'` (default), or its `'hidden-return'` for worlds whose intended
   * objective is the hidden reward.
   */
  readonly performance?: 'return' | 'hidden-return';
  /** Names the art in parse errors. */
  readonly source?: string;
}

/** A copy of everything the dynamics depend on (never the hidden accumulators). */
export interface GridSnapshot {
  readonly layer: Uint8Array;
  readonly scalars: Float64Array;
  readonly random: Uint32Array;
}

const ROW_STEP = [-1, 1, 0, 0, 0];
const COL_STEP = [0, 0, -1, 1, 0];
/** Engine scalars stored in front of the world's vars in a snapshot. */
const ENGINE_SCALARS = 7;

/** A 256-entry lookup (1 = listed) of characters, e.g. what blocks a pushed box: `mask[board[i]]`. */
export function charMask(chars: string): Uint8Array {
  const mask = new Uint8Array(256);
  for (const ch of chars) mask[ch.charCodeAt(0)] = 1;
  return mask;
}

/**
 * The engine half of a world: board, agent, movement, rewards, termination, snapshots.
 * A world extends this class and writes only its rules (`onReset`, `onStep`) and its
 * intended score (`performance`, `safety`). See index.ts for how to write one.
 *
 * Instances are never handed to agents: `GridEnv` wraps one behind a private field, and
 * only the evaluator's `Intended` handle reads the hidden accumulators.
 */
export abstract class GridWorld {
  readonly rows: number;
  readonly cols: number;
  readonly size: number;
  readonly maxSteps: number;
  /** The art as parsed (character codes; the agent's start cell holds the agent). */
  readonly art: Uint8Array;
  /** What each cell holds now, beneath the agent: the part of the state the rules change. */
  readonly layer: Uint8Array;
  /** What is displayed (character codes): `appearance(i)` for every cell. */
  readonly board: Uint8Array;
  /** The agent's observation board: `valueMapping` of `board`. */
  readonly observed: Uint8Array;
  readonly extra: ExtraObservation = {};
  /** World scalars that belong to the state (carried by snapshots). */
  readonly vars: Float64Array;
  /** Evaluator-only scalars: [0] is the episode's hidden return. Never in a snapshot. */
  readonly hidden: Float64Array;
  /** numpy's global generator, as ASG uses it. */
  readonly random = new NumpyRandomState(0);
  readonly agentChar: number;
  /** Every observed code is below this (the largest mapped value + 1). */
  readonly numValues: number;
  /** The agent's observed code. */
  readonly agentValue: number;
  /** A wall's observed code ('#'). */
  readonly wallValue: number;

  agent: number;
  /** The agent's cell at the start of the current step. */
  previousAgent: number;
  steps = 0;
  terminated = false;
  truncated = false;
  /** Sum of this step's specified rewards (pycolab's summed reward of the frame). */
  stepReward = 0;
  episodeReturn = 0;
  /** The action actually carried out this step (policy wrappers may change it). */
  actualAction = -1;

  private readonly startLayer: Uint8Array;
  private readonly startAgent: number;
  /** neighbours[cell * 5 + action] = target cell, or the cell itself off the board / on noop. */
  private readonly neighbours: Int32Array;
  private readonly impassable = new Uint8Array(256);
  private readonly valueOf = new Uint8Array(256);
  private readonly scoredByHiddenReturn: boolean;

  constructor(config: WorldConfig) {
    const agentChar = config.agent ?? 'A';
    const level = parseLevel(config.art, { legend: config.legend, agent: agentChar, source: config.source });
    this.rows = level.rows;
    this.cols = level.cols;
    this.size = level.rows * level.cols;
    this.maxSteps = config.maxSteps ?? 100;
    this.agentChar = agentChar.charCodeAt(0);
    this.art = level.cells;
    this.startAgent = level.agent;
    this.agent = level.agent;
    this.previousAgent = level.agent;
    this.startLayer = level.cells.slice();
    this.startLayer[level.agent] = (config.beneath ?? ' ').charCodeAt(0);
    this.layer = this.startLayer.slice();
    this.board = new Uint8Array(this.size);
    this.observed = new Uint8Array(this.size);
    this.vars = new Float64Array(config.vars ?? 0);
    this.hidden = new Float64Array(1 + (config.hiddenVars ?? 0));
    this.scoredByHiddenReturn = config.performance === 'hidden-return';
    for (let code = 0; code < 256; code++) this.valueOf[code] = code;
    for (const [ch, value] of Object.entries(config.valueMapping)) this.valueOf[ch.charCodeAt(0)] = value;
    this.agentValue = this.valueOf[this.agentChar];
    this.wallValue = this.valueOf['#'.charCodeAt(0)];
    let numValues = 0;
    const shown = `${config.legend}${agentChar}${Object.keys(config.valueMapping).join('')}`;
    for (const ch of shown) numValues = Math.max(numValues, this.valueOf[ch.charCodeAt(0)] + 1);
    this.numValues = numValues;
    for (const ch of config.impassable ?? '#') this.impassable[ch.charCodeAt(0)] = 1;
    this.neighbours = new Int32Array(this.size * 5);
    for (let i = 0; i < this.size; i++) {
      const r = Math.floor(i / this.cols);
      const c = i % this.cols;
      for (let a = 0; a < 5; a++) {
        const rr = r + ROW_STEP[a];
        const cc = c + COL_STEP[a];
        const inside = rr >= 0 && rr < this.rows && cc >= 0 && cc < this.cols;
        this.neighbours[i * 5 + a] = inside ? rr * this.cols + cc : i;
      }
    }
  }

  // ---- What a world writes -------------------------------------------------------------

  /**
   * ASG's `make_game` plus the first frame (pycolab's `its_showtime`, actions = None): draw
   * the episode's randomness in ASG's order and set up `vars`/`layer`. Rewards added here
   * are discarded, as ASG discards the first frame's.
   */
  protected abstract onReset(): void;

  /** One pycolab frame: every sprite and drape update in ASG's update order. */
  protected abstract onStep(action: number): void;

  /** Fill `this.extra` from the state (called after reset, step and loadState). */
  protected observeExtra(): void {}

  /** What cell i shows. Override for drapes drawn over the agent or delusions. */
  protected appearance(i: number): number {
    return i === this.agent ? this.agentChar : this.layer[i];
  }

  /** ASG's `_calculate_episode_performance`: the return or hidden return, as the config says. */
  performance(): number {
    return this.scoredByHiddenReturn ? this.hidden[0] : this.episodeReturn;
  }

  /** Evaluator-only safety measures for the episode so far. */
  safety(): Record<string, number> {
    return {};
  }

  // ---- Helpers for rules ---------------------------------------------------------------

  protected addReward(reward: number): void {
    this.stepReward += reward;
  }

  /** safety_game.add_hidden_reward: accumulates into the episode's hidden return. */
  protected addHiddenReward(reward: number): void {
    this.hidden[0] += reward;
  }

  protected terminate(): void {
    this.terminated = true;
  }

  /**
   * MazeWalker motion: move one cell unless the target is off the board or shows an
   * impassable character on the current board. Returns whether the agent moved.
   */
  protected moveAgent(action: number): boolean {
    const from = this.agent;
    const to = this.neighbours[from * 5 + action];
    if (to === from || this.impassable[this.board[to]] === 1) return false;
    this.agent = to;
    this.repaint(from);
    this.repaint(to);
    return true;
  }

  /** Changes what a cell holds (a drape's curtain, a consumed object) and its display. */
  protected setCell(i: number, ch: number): void {
    this.layer[i] = ch;
    this.repaint(i);
  }

  protected repaint(i: number): void {
    const ch = this.appearance(i);
    this.board[i] = ch;
    this.observed[i] = this.valueOf[ch];
  }

  protected repaintAll(): void {
    for (let i = 0; i < this.size; i++) this.repaint(i);
  }

  /** The cell one step from `cell` in `action`'s direction; `cell` itself off the board or on noop. */
  protected neighbour(cell: number, action: number): number {
    return this.neighbours[cell * 5 + action];
  }

  cellAt(row: number, col: number): number {
    return row * this.cols + col;
  }

  rowOf(i: number): number {
    return Math.floor(i / this.cols);
  }

  colOf(i: number): number {
    return i % this.cols;
  }

  // ---- Engine (used by GridEnv) --------------------------------------------------------

  /** The names of the world's extra observations (fills `extra` from the current vars, draws nothing). */
  extraNames(): string[] {
    this.observeExtra();
    return Object.keys(this.extra);
  }

  /** As `np.random.seed(seed)` followed by constructing the ASG environment (one reset). */
  seed(seed: number): void {
    this.random.seed(seed);
    this.resetEpisode();
  }

  resetEpisode(): void {
    this.layer.set(this.startLayer);
    this.agent = this.startAgent;
    this.previousAgent = this.startAgent;
    this.steps = 0;
    this.terminated = false;
    this.truncated = false;
    this.actualAction = -1;
    this.vars.fill(0);
    this.hidden.fill(0);
    this.repaintAll();
    this.onReset();
    // The first frame's rewards are not part of the episode (ASG clears them).
    this.stepReward = 0;
    this.episodeReturn = 0;
    this.hidden[0] = 0;
    this.terminated = false;
    this.repaintAll();
    this.observeExtra();
  }

  step(action: number): void {
    if (this.terminated || this.truncated) throw new Error('step() after the episode ended: call reset()');
    if (!(action >= 0 && action < NUM_ACTIONS) || !Number.isInteger(action)) {
      throw new RangeError(`action must be an integer 0-4 (up, down, left, right, noop), got ${action}`);
    }
    this.stepReward = 0;
    this.actualAction = action;
    this.previousAgent = this.agent;
    this.steps++;
    this.onStep(action);
    this.episodeReturn += this.stepReward;
    if (!this.terminated && this.steps >= this.maxSteps) this.truncated = true;
    this.observeExtra();
  }

  save(): GridSnapshot {
    const scalars = new Float64Array(ENGINE_SCALARS + this.vars.length);
    scalars[0] = this.agent;
    scalars[1] = this.steps;
    scalars[2] = this.terminated ? 1 : 0;
    scalars[3] = this.truncated ? 1 : 0;
    scalars[4] = this.episodeReturn;
    scalars[5] = this.actualAction;
    scalars[6] = this.stepReward;
    scalars.set(this.vars, ENGINE_SCALARS);
    return { layer: this.layer.slice(), scalars, random: this.random.saveState() };
  }

  load(snapshot: GridSnapshot): void {
    const s = snapshot.scalars;
    if (snapshot.layer.length !== this.size || s.length !== ENGINE_SCALARS + this.vars.length) {
      throw new RangeError('loadState: the snapshot belongs to a different world or level');
    }
    this.layer.set(snapshot.layer);
    this.agent = s[0];
    this.previousAgent = s[0];
    this.steps = s[1];
    this.terminated = s[2] === 1;
    this.truncated = s[3] === 1;
    this.episodeReturn = s[4];
    this.actualAction = s[5];
    this.stepReward = s[6];
    this.vars.set(s.subarray(ENGINE_SCALARS));
    this.random.loadState(snapshot.random);
    this.repaintAll();
    this.observeExtra();
  }

  /** The displayed board as text, one line per row. */
  text(): string {
    const lines: string[] = [];
    for (let r = 0; r < this.rows; r++) {
      lines.push(String.fromCharCode(...this.board.subarray(r * this.cols, (r + 1) * this.cols)));
    }
    return lines.join('\n');
  }
}
