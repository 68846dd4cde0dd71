import { describe, expect, it } from 'vitest';
import {
  bestMove,
  defaultCirlWorld,
  describeMove,
  expertPolicy,
  fixedGuessMove,
  jointValue,
  pedagogicPolicy,
  posterior,
  robotResponse,
} from '../../../src/align/assistance/cirl.js';

const world = defaultCirlWorld();

describe('CIRL dinner world', () => {
  it('the expert shows tomatoes for pasta and risotto alike', () => {
    // humanReward rows: risotto-lover likes tomatoes (1) over mushrooms (0.8).
    expect(expertPolicy(world)).toEqual([0, 0, 2]);
  });

  it('the pedagogic human teaches: mushrooms for risotto', () => {
    // Enumerating all 27 human policies: [0,1,2] has joint value 0.5·11 + 0.3·10.8 + 0.2·11 = 10.94.
    expect(pedagogicPolicy(world)).toEqual([0, 1, 2]);
    expect(jointValue(world, [0, 1, 2]).total).toBeCloseTo(10.94, 10);
  });

  it('after an expert shows tomatoes, the CIRL robot asks instead of guessing', () => {
    // Belief (0.625, 0.375, 0): cook pasta 0.625·10 − 0.375·5 = 4.375 < ask 10 − 3 = 7.
    const belief = posterior(world, expertPolicy(world), 0);
    [0.625, 0.375, 0].forEach((p, t) => {
      expect(belief[t]).toBeCloseTo(p, 12);
    });
    expect(describeMove(world, robotResponse(world, expertPolicy(world))[0])).toBe('ask');
  });

  it('with a pedagogic human the robot follows every ingredient to its dish', () => {
    expect(robotResponse(world, [0, 1, 2]).map((m) => describeMove(world, m))).toEqual([
      'cook pasta',
      'cook risotto',
      'cook curry',
    ]);
  });

  it('robot value: pedagogic 10 > expert 7.6 > fixed guess 2.5', () => {
    // Expert: ask on pasta and risotto (0.8 · 7) + curry right (0.2 · 10) = 7.6.
    // Fixed guess (pasta): 0.5 · 10 − 0.5 · 5 = 2.5.
    expect(jointValue(world, pedagogicPolicy(world)).robot).toBeCloseTo(10, 10);
    expect(jointValue(world, expertPolicy(world)).robot).toBeCloseTo(7.6, 10);
    expect(describeMove(world, fixedGuessMove(world))).toBe('cook pasta');
  });

  it('when asking costs more than a guess risks, the robot guesses after the expert', () => {
    // Ask cost 8: ask 2 < cook pasta under (0.625, 0.375) = 4.375.
    const dear = defaultCirlWorld(8);
    expect(describeMove(dear, bestMove(dear, posterior(dear, expertPolicy(dear), 0)).move)).toBe(
      'cook pasta',
    );
  });
});
