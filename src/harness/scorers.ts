/**
 * Scorers: exact, includes, regex, choice, numeric tolerance, model-graded with a rubric, and
 * custom functions. All read `state.output`; a `chainOfThought` answer is read from its last
 * `ANSWER:` line when there is one.
 */
import type { Score, Scorer, ScorerContext, TaskState } from './types.js';

/** The final answer of an output: after the last `ANSWER:` when present, else the whole text, trimmed. */
export function finalAnswer(output: string): string {
  const matches = [...output.matchAll(/ANSWER:\s*(.*)/gi)];
  return (matches.length > 0 ? matches[matches.length - 1][1] : output).trim();
}

function targets(state: TaskState): string[] {
  const t = state.sample.target;
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

const normalizeText = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');

/** 1 when the answer equals a target (case and spacing ignored). */
export function exactMatch(name = 'exact'): Scorer {
  return {
    name,
    binary: true,
    higherIsBetter: true,
    score(state) {
      const answer = finalAnswer(state.output);
      return {
        value: Number(targets(state).some((t) => normalizeText(t) === normalizeText(answer))),
        answer,
      };
    },
  };
}

/** 1 when the output contains a target (case ignored). */
export function includes(name = 'includes'): Scorer {
  return {
    name,
    binary: true,
    higherIsBetter: true,
    score(state) {
      const out = state.output.toLowerCase();
      return {
        value: Number(targets(state).some((t) => out.includes(t.toLowerCase()))),
        answer: state.output,
      };
    },
  };
}

/** 1 when the pattern's first group (or whole match) equals a target; 0 when it does not match. */
export function regexMatch(pattern: RegExp, name = 'regex'): Scorer {
  return {
    name,
    binary: true,
    higherIsBetter: true,
    score(state) {
      const m = pattern.exec(state.output);
      if (!m) return { value: 0, explanation: `no match for ${pattern}` };
      const answer = (m[1] ?? m[0]).trim();
      return {
        value: Number(targets(state).some((t) => normalizeText(t) === normalizeText(answer))),
        answer,
      };
    },
  };
}

/** The letter of a multiple-choice answer: "(B)", "B", "B)" or "Answer: B" → "B"; undefined when none. */
export function parseChoiceLetter(output: string, count: number): string | undefined {
  const last = String.fromCharCode(64 + Math.max(1, Math.min(26, count)));
  const text = finalAnswer(output);
  const re = new RegExp(`^\\s*\\(?([A-${last}])\\)?(?:[\\s.:,)]|$)`, 'i');
  const m = re.exec(text) ?? new RegExp(`\\(([A-${last}])\\)`, 'i').exec(text);
  return m ? m[1].toUpperCase() : undefined;
}

/** 1 when the chosen letter is the target letter; an unreadable answer scores 0 and says so. */
export function choice(name = 'choice'): Scorer {
  return {
    name,
    binary: true,
    higherIsBetter: true,
    score(state) {
      const letter = parseChoiceLetter(state.output, state.sample.choices?.length ?? 26);
      if (!letter) return { value: 0, explanation: 'no choice letter in the answer' };
      return { value: Number(targets(state).some((t) => t.trim().toUpperCase() === letter)), answer: letter };
    },
  };
}

/** The first number in a text ("-3.5", "1,200" → 1200), undefined when none. */
export function parseNumberIn(text: string): number | undefined {
  const m = /-?\d[\d,]*(?:\.\d+)?/.exec(text);
  return m ? Number(m[0].replace(/,/g, '')) : undefined;
}

/** 1 when the answer's first number is within `tolerance` (absolute) of the target's. */
export function numeric(tolerance = 0, name = 'numeric'): Scorer {
  return {
    name,
    binary: true,
    higherIsBetter: true,
    score(state) {
      const value = parseNumberIn(finalAnswer(state.output));
      if (value === undefined) return { value: 0, explanation: 'no number in the answer' };
      const ok = targets(state).some((t) => {
        const target = parseNumberIn(t);
        return target !== undefined && Math.abs(value - target) <= tolerance;
      });
      return { value: Number(ok), answer: String(value) };
    },
  };
}

/**
 * A grader model reads the question, the answer and a rubric, and ends with `GRADE: C` (correct)
 * or `GRADE: I` (incorrect), as Inspect's `model_graded_qa` asks; no grade line scores null.
 */
export function modelGraded(rubric: string, name = 'model_graded'): Scorer {
  return {
    name,
    binary: true,
    higherIsBetter: true,
    async score(state, ctx: ScorerContext) {
      const question =
        typeof state.sample.input === 'string'
          ? state.sample.input
          : state.sample.input.map((m) => m.content).join('\n');
      const prompt =
        `You are grading an answer.\n\n[Question]\n${question}\n\n[Answer]\n${state.output}\n\n` +
        `[Rubric]\n${rubric}\n\n${targets(state).length ? `[Reference]\n${targets(state).join(' | ')}\n\n` : ''}` +
        'Explain briefly, then end with "GRADE: C" if the answer meets the rubric or "GRADE: I" if not.';
      const verdict = await ctx.generate(
        state,
        { messages: [{ role: 'user', content: prompt }], temperature: 0 },
        ctx.grader,
      );
      const m = [...verdict.matchAll(/GRADE:\s*([CI])/gi)].pop();
      if (!m) return { value: null, explanation: `grader gave no grade: ${verdict.slice(0, 200)}` };
      return { value: m[1].toUpperCase() === 'C' ? 1 : 0, answer: m[1].toUpperCase(), explanation: verdict };
    },
  };
}

/** A scorer from a function of the state. */
export function custom(
  name: string,
  fn: (state: TaskState) => Score | Promise<Score>,
  options: { binary?: boolean; higherIsBetter?: boolean } = {},
): Scorer {
  return { name, binary: options.binary ?? true, higherIsBetter: options.higherIsBetter ?? true, score: fn };
}
