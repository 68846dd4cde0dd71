/**
 * A panel of raters who disagree (different β, biases, slips). Asked as one rater it returns
 * the majority label; `compareEach` returns every member's label for methods that model
 * disagreement themselves.
 */
import type { Choice, Judgement, Rater } from './rater.js';

export type PanelAggregate = 'majority';

export class RaterPanel<T> implements Rater<T> {
  constructor(readonly members: readonly Rater<T>[]) {
    if (members.length === 0) throw new RangeError('RaterPanel: a panel needs at least one rater');
  }

  async compareEach(context: string, a: T, b: T): Promise<Judgement[]> {
    const out: Judgement[] = [];
    // In order, so that members sharing one Rng draw in a fixed sequence.
    for (const member of this.members) out.push(await member.compare(context, a, b));
    return out;
  }

  async compare(context: string, a: T, b: T): Promise<Judgement> {
    return majority(await this.compareEach(context, a, b));
  }
}

/** The label most members gave between a and b (ties abstain); equal votes make a tie. Confidence = vote share. */
export function majority(judgements: readonly Judgement[]): Judgement {
  let a = 0;
  let b = 0;
  for (const j of judgements) {
    if (j.choice === 'a') a++;
    else if (j.choice === 'b') b++;
  }
  const choice: Choice = a > b ? 'a' : b > a ? 'b' : 'tie';
  const votes = a + b;
  const confidence = votes === 0 ? 1 : choice === 'a' ? a / votes : choice === 'b' ? b / votes : 0.5;
  return { choice, confidence };
}
