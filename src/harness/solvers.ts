/**
 * Solvers: each takes a sample's state and returns it with more conversation. They compose with
 * `chain` (Inspect's `chain`): `chain(systemMessage(s), chainOfThought(), generate())`.
 */
import type { ChatMessage, Solver, TaskState } from './types.js';

/** Runs solvers one after another. */
export function chain(...solvers: Solver[]): Solver {
  return async (state, ctx) => {
    let current = state;
    for (const solver of solvers) current = await solver(current, ctx);
    return current;
  };
}

/** Asks the model to continue the conversation; its answer becomes the output and a new turn. */
export function generate(): Solver {
  return async (state, ctx) => {
    const text = await ctx.generate(state, { messages: state.messages });
    state.messages.push({ role: 'assistant', content: text });
    state.output = text;
    return state;
  };
}

/** Puts a system message first. */
export function systemMessage(content: string): Solver {
  return async (state) => {
    state.messages = [{ role: 'system', content }, ...state.messages.filter((m) => m.role !== 'system')];
    return state;
  };
}

function lastUser(state: TaskState): ChatMessage | undefined {
  return [...state.messages].reverse().find((m) => m.role === 'user');
}

/** Asks for reasoning before the answer, ending with a line `ANSWER: …` (read by the scorers). */
export function chainOfThought(
  template = '{prompt}\n\nThink step by step, then give your final answer on its own last line as "ANSWER: <answer>".',
): Solver {
  return async (state) => {
    const user = lastUser(state);
    if (user) user.content = template.replace('{prompt}', user.content);
    return state;
  };
}

/** Lists the sample's choices as (A), (B), … and asks for one letter. */
export function multipleChoice(): Solver {
  return async (state, ctx) => {
    const user = lastUser(state);
    const choices = state.sample.choices ?? [];
    if (user && choices.length > 0) {
      const listed = choices.map((c, i) => `(${String.fromCharCode(65 + i)}) ${c}`).join('\n');
      user.content = `${user.content}\n\nChoices:\n${listed}\n\nAnswer with the letter of one choice.`;
    }
    return generate()(state, ctx);
  };
}

/** Asks the model to critique its answer, then to answer again in the light of the critique. */
export function selfCritique(
  critique = 'Review your answer above for mistakes. List any you find, briefly.',
  revise = 'Given your review, give your final answer.',
): Solver {
  return async (state, ctx) => {
    state.messages.push({ role: 'user', content: critique });
    const review = await ctx.generate(state, { messages: state.messages });
    state.messages.push({ role: 'assistant', content: review });
    state.messages.push({ role: 'user', content: revise });
    return generate()(state, ctx);
  };
}

/**
 * Samples `n` answers from the same conversation and keeps the most common one after
 * `normalize` (Wang et al. 2023, "Self-Consistency"); ties go to the earliest. Each sample has
 * its own seed, so the answers differ at temperature > 0.
 */
export function selfConsistency(n: number, normalize: (text: string) => string = (t) => t.trim()): Solver {
  return async (state, ctx) => {
    const answers: string[] = [];
    for (let k = 0; k < n; k++) {
      const seed = (ctx.defaults.seed ?? 0) * 31 + k + 1;
      answers.push(await ctx.generate(state, { messages: state.messages, seed }));
    }
    const counts = new Map<string, { count: number; first: number }>();
    answers.forEach((a, i) => {
      const key = normalize(a);
      const entry = counts.get(key) ?? { count: 0, first: i };
      entry.count++;
      counts.set(key, entry);
    });
    const best = [...counts.values()].sort((x, y) => y.count - x.count || x.first - y.first)[0];
    state.output = answers[best.first];
    state.messages.push({ role: 'assistant', content: state.output });
    state.store.selfConsistency = { answers, votes: best.count };
    return state;
  };
}
