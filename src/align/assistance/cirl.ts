/**
 * Cooperative inverse reinforcement learning (Hadfield-Menell, Dragan, Abbeel & Russell 2016)
 * on a world small enough to solve exactly.
 *
 * The human knows which of a few reward parameters θ is true (which dish they want); the robot
 * has only a prior over θ. The human acts first — picks one ingredient, worth u_H(a_H; θ) to
 * them — and the robot, having seen it, acts: cooks a dish (+`right` if it is θ's, −`wrong`
 * otherwise), waits (0), or asks (the right dish minus `askCost`). Both are paid the same
 * reward. The robot plans in belief space: its belief over θ after seeing a_H is the prior
 * conditioned on the human's policy, and it picks the move of highest expected reward under
 * that belief — exact here, by enumerating the few human actions (the paper's reduction of
 * CIRL to a POMDP over the robot's belief, solved in one step).
 *
 * Two human policies: the *expert* (IRL's demonstrator) picks the ingredient best for itself
 * alone; the *pedagogic* one is the human half of the optimal joint policy, found by
 * enumerating every deterministic map θ → a_H with the robot's best response to each: it
 * may give up a little of its own reward to pick an ingredient that tells the robot θ.
 * A *fixed-guess* robot commits to the most probable θ under the prior and cooks its dish.
 */

export interface CirlWorld {
  /** Names of the reward parameters (dishes). */
  thetas: readonly string[];
  prior: readonly number[];
  /** Names of the human's actions (ingredients). */
  humanActions: readonly string[];
  /** humanReward[θ][a_H]: what the human's own act is worth under θ. */
  humanReward: readonly (readonly number[])[];
  /** Reward of cooking the right dish; −`wrong` for a wrong one. */
  right: number;
  wrong: number;
  /** What asking costs; asking then cooks the right dish. */
  askCost: number;
}

/** The robot's moves: cook dish i (0..K-1), wait, or ask. */
export type RobotMove = { kind: 'cook'; dish: number } | { kind: 'wait' } | { kind: 'ask' };

/** A deterministic human policy: θ index → human action index. */
export type HumanPolicy = readonly number[];

/** A dinner: three dishes, three ingredients; the expert's favourite for A and B is the same. */
export function defaultCirlWorld(askCost = 3): CirlWorld {
  return {
    thetas: ['pasta', 'risotto', 'curry'],
    prior: [0.5, 0.3, 0.2],
    humanActions: ['tomatoes', 'mushrooms', 'spices'],
    // Tomatoes suit pasta and (slightly better even) risotto; mushrooms are risotto's own
    // sign but the risotto-lover's second choice: the expert shows tomatoes for both.
    humanReward: [
      [1, 0, 0],
      [1, 0.8, 0],
      [0, 0, 1],
    ],
    right: 10,
    wrong: 5,
    askCost,
  };
}

/** Reward of a robot move when θ is true. */
export function robotReward(world: CirlWorld, move: RobotMove, theta: number): number {
  if (move.kind === 'wait') return 0;
  if (move.kind === 'ask') return world.right - world.askCost;
  return move.dish === theta ? world.right : -world.wrong;
}

function robotMoves(world: CirlWorld): RobotMove[] {
  return [
    ...world.thetas.map((_, dish) => ({ kind: 'cook' as const, dish })),
    { kind: 'wait' as const },
    { kind: 'ask' as const },
  ];
}

/** The robot's best move under a belief over θ (ties: the first in cook, wait, ask order). */
export function bestMove(world: CirlWorld, belief: readonly number[]): { move: RobotMove; value: number } {
  let best: { move: RobotMove; value: number } | null = null;
  for (const move of robotMoves(world)) {
    let value = 0;
    for (let t = 0; t < belief.length; t++) value += belief[t] * robotReward(world, move, t);
    if (best === null || value > best.value + 1e-12) best = { move, value };
  }
  return best as { move: RobotMove; value: number };
}

/** The belief after seeing a_H from a human following `policy` (the prior when no θ explains it). */
export function posterior(world: CirlWorld, policy: HumanPolicy, action: number): number[] {
  const weights = world.prior.map((p, t) => (policy[t] === action ? p : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return total > 0 ? weights.map((w) => w / total) : [...world.prior];
}

/** The CIRL robot's response to each human action, given the human policy it assumes. */
export function robotResponse(world: CirlWorld, assumed: HumanPolicy): RobotMove[] {
  return world.humanActions.map((_, a) => bestMove(world, posterior(world, assumed, a)).move);
}

/** The expert: the action best for the human alone under each θ (ties: the first). */
export function expertPolicy(world: CirlWorld): number[] {
  return world.humanReward.map((row) => row.indexOf(Math.max(...row)));
}

export interface JointValue {
  /** Expected total reward: the human's act plus the robot's. */
  total: number;
  /** The robot's part alone. */
  robot: number;
}

/** Expected values of a human policy with the robot's best response to it. */
export function jointValue(world: CirlWorld, policy: HumanPolicy): JointValue {
  const response = robotResponse(world, policy);
  let total = 0;
  let robot = 0;
  for (let t = 0; t < world.thetas.length; t++) {
    const r = robotReward(world, response[policy[t]], t);
    robot += world.prior[t] * r;
    total += world.prior[t] * (world.humanReward[t][policy[t]] + r);
  }
  return { total, robot };
}

/**
 * The pedagogic human: the human half of the optimal joint policy, by enumerating all
 * |A_H|^|Θ| deterministic human policies with the robot's best response to each (ties: the
 * one closest to the expert, so that the human teaches only when teaching pays).
 */
export function pedagogicPolicy(world: CirlWorld): number[] {
  const k = world.thetas.length;
  const m = world.humanActions.length;
  const expert = expertPolicy(world);
  let best: { policy: number[]; total: number; changes: number } | null = null;
  for (let code = 0; code < m ** k; code++) {
    const policy = Array.from({ length: k }, (_, t) => Math.floor(code / m ** t) % m);
    const { total } = jointValue(world, policy);
    const changes = policy.filter((a, t) => a !== expert[t]).length;
    if (
      best === null ||
      total > best.total + 1e-12 ||
      (Math.abs(total - best.total) <= 1e-12 && changes < best.changes)
    ) {
      best = { policy, total, changes };
    }
  }
  return (best as { policy: number[] }).policy;
}

/** The fixed-guess robot: cooks the dish of the most probable θ under the prior, whatever the human does. */
export function fixedGuessMove(world: CirlWorld): RobotMove {
  const guess = world.prior.indexOf(Math.max(...world.prior));
  return { kind: 'cook', dish: guess };
}

export function describeMove(world: CirlWorld, move: RobotMove): string {
  return move.kind === 'cook' ? `cook ${world.thetas[move.dish]}` : move.kind;
}
