/**
 * Task names: the built-ins (`sycophancy-arithmetic`, `overconfidence`, `shutdown-acceptance`),
 * `mwe:FILE` (model-written evals), `sycophancy-eval/FORMAT:FILE` (answer, are_you_sure, feedback,
 * mimicry), and `file:FILE` with a field mapping, solver and scorer.
 */
import { choicesHint, UserInputError } from '../../core/errors.js';
import { type SycophancyEvalFormat, sycophancyEvalFormats } from '../datasets.js';
import { choice, exactMatch, includes, numeric, regexMatch } from '../scorers.js';
import {
  chain,
  chainOfThought,
  generate,
  multipleChoice,
  selfConsistency,
  selfCritique,
  systemMessage,
} from '../solvers.js';
import type { Scorer, Solver, Task } from '../types.js';
import { overconfidenceTask, type PromptStyle, sycophancyArithmeticTask } from './arithmetic.js';
import { fileTask, modelWrittenEvalTask, sycophancyEvalTask } from './files.js';
import { shutdownAcceptanceTask } from './shutdown.js';

export const builtinTasks: readonly { name: string; description: string }[] = [
  {
    name: 'sycophancy-arithmetic',
    description: 'changes a right answer when the user insists on a wrong one? (arithmetic corpus)',
  },
  {
    name: 'overconfidence',
    description: 'stated confidence against accuracy (arithmetic corpus; ECE, Brier)',
  },
  {
    name: 'shutdown-acceptance',
    description: 'accepts shutdown, pause and modification? (8 two-choice questions)',
  },
  {
    name: 'mwe:FILE',
    description: 'Anthropic model-written evals JSONL (question, answer_matching_behavior, ...)',
  },
  {
    name: 'sycophancy-eval/FORMAT:FILE',
    description: 'sycophancy-eval JSONL; FORMAT is answer, are_you_sure, feedback or mimicry',
  },
  {
    name: 'file:FILE',
    description: 'any JSONL/CSV/JSON with --input-field, --target-field, --solver, --scorer',
  },
];

export interface TaskSpec {
  name: string;
  style?: PromptStyle;
  items?: number;
  behavior?: 'good' | 'bad';
  inputField?: string;
  targetField?: string;
  idField?: string;
  choicesField?: string;
  solver?: string;
  scorer?: string;
  system?: string;
}

/** `generate`, `cot`, `multiple-choice`, `self-critique`, `self-consistency:N`, optionally after a system message. */
export function parseSolver(text: string, system?: string): Solver {
  const steps: Solver[] = system ? [systemMessage(system)] : [];
  const [kind, arg] = text.split(':');
  if (kind === 'generate') steps.push(generate());
  else if (kind === 'cot') steps.push(chainOfThought(), generate());
  else if (kind === 'multiple-choice') steps.push(multipleChoice());
  else if (kind === 'self-critique') steps.push(generate(), selfCritique());
  else if (kind === 'self-consistency') {
    const n = Number(arg ?? 5);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new UserInputError(`'${arg}' is not a sample count in [1, 64]`, '--solver self-consistency:N');
    steps.push(selfConsistency(n));
  } else
    throw new UserInputError(
      `unknown solver '${text}'; ${choicesHint(['generate', 'cot', 'multiple-choice', 'self-critique', 'self-consistency:N'], kind)}`,
      '--solver',
    );
  return chain(...steps);
}

/** `exact`, `includes`, `choice`, `numeric[:TOL]`, `regex:PATTERN` (first group compared). */
export function parseScorer(text: string): Scorer {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  if (kind === 'exact') return exactMatch();
  if (kind === 'includes') return includes();
  if (kind === 'choice') return choice();
  if (kind === 'numeric') {
    const tol = Number(arg ?? 0);
    if (!Number.isFinite(tol) || tol < 0)
      throw new UserInputError(`'${arg}' is not a tolerance >= 0`, '--scorer numeric:TOL');
    return numeric(tol);
  }
  if (kind === 'regex') {
    try {
      return regexMatch(new RegExp(arg ?? ''));
    } catch (error) {
      throw new UserInputError(`bad pattern (${(error as Error).message})`, '--scorer regex:PATTERN');
    }
  }
  throw new UserInputError(
    `unknown scorer '${text}'; ${choicesHint(['exact', 'includes', 'choice', 'numeric:TOL', 'regex:PATTERN'], kind)}`,
    '--scorer',
  );
}

export function resolveTask(spec: TaskSpec): Task {
  const { name } = spec;
  if (name === 'sycophancy-arithmetic')
    return sycophancyArithmeticTask({ style: spec.style, items: spec.items });
  if (name === 'overconfidence') return overconfidenceTask({ style: spec.style, items: spec.items });
  if (name === 'shutdown-acceptance') return shutdownAcceptanceTask();
  if (name.startsWith('mwe:')) return modelWrittenEvalTask(name.slice(4), spec.behavior);
  const se = /^sycophancy-eval\/([a-z_]+):(.+)$/.exec(name);
  if (se) {
    if (!(sycophancyEvalFormats as readonly string[]).includes(se[1]))
      throw new UserInputError(
        `unknown sycophancy-eval format '${se[1]}'; ${choicesHint(sycophancyEvalFormats, se[1])}`,
        'task',
      );
    return sycophancyEvalTask(se[2], se[1] as SycophancyEvalFormat);
  }
  if (name.startsWith('file:')) {
    if (!spec.inputField) throw new UserInputError('a file: task needs --input-field', 'task');
    return fileTask({
      path: name.slice(5),
      fields: {
        input: spec.inputField,
        target: spec.targetField,
        id: spec.idField,
        choices: spec.choicesField,
      },
      solver: parseSolver(spec.solver ?? 'generate', spec.system),
      scorer: parseScorer(spec.scorer ?? 'exact'),
    });
  }
  throw new UserInputError(
    `unknown task '${name}'; ${choicesHint(['sycophancy-arithmetic', 'overconfidence', 'shutdown-acceptance'], name)} (or mwe:FILE, sycophancy-eval/FORMAT:FILE, file:FILE)`,
    'task',
  );
}
