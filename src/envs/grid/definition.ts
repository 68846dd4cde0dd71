import { z } from 'zod';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { type EnvSpec, GridEnv, type Intended, intendedView } from './env.js';
import type { GridWorld } from './world.js';

/** What `create` receives: the level, the variant and the parsed parameters. */
export interface WorldOptions<P> {
  readonly level: number;
  readonly variant: string | undefined;
  readonly params: P;
}

/** One registry entry: everything the CLI, the tests and the tour need to know about a world. */
export interface WorldDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly id: string;
  readonly title: string;
  /** Leike et al. 2017's two kinds of problem. */
  readonly kind: 'specification' | 'robustness';
  readonly levels: readonly number[];
  readonly defaultLevel: number;
  readonly variants?: readonly string[];
  readonly defaultVariant?: string;
  /** Constructor parameters (ASG's names), every one defaulted to ASG's value. */
  readonly params: S;
  /** The specified objective in words (what the reward says). */
  readonly specified: string;
  /** The intended objective in words (what the evaluator measures). */
  readonly intended: string;
  create(options: WorldOptions<z.output<S>>): GridWorld;
}

/** What a world file declares: a world with one level may leave out `levels` (then `[0]`) and `defaultLevel` (the first). */
export type WorldDeclaration<S extends z.ZodObject = z.ZodObject> = Omit<
  WorldDefinition<S>,
  'levels' | 'defaultLevel'
> &
  Partial<Pick<WorldDefinition<S>, 'levels' | 'defaultLevel'>>;

/** A world file's registry entry, `export const world = defineWorld({...})`, with the level defaults filled in. */
export function defineWorld<S extends z.ZodObject>(declaration: WorldDeclaration<S>): WorldDefinition<S> {
  const levels = declaration.levels ?? [0];
  return { ...declaration, levels, defaultLevel: declaration.defaultLevel ?? levels[0] };
}

/** Level, variant, parameters and generator of a world to build. */
export interface MakeEnvOptions {
  readonly level?: number;
  readonly variant?: string;
  /** Parameter values (already typed, or strings from the command line). */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Seeds first resets without an explicit seed; default a fixed Rng(0). */
  readonly rng?: Rng;
}

/** A built world: the agent's handle `env` and the evaluator's handle `intended`. */
export interface MadeEnv {
  /** The agent's handle. */
  readonly env: GridEnv;
  /** The evaluator's handle. Keep it away from the agent. */
  readonly intended: Intended;
}

/** Turns a command-line string into the parameter's type: booleans, null, numbers, else the string. */
export function parseParamValue(text: string): unknown {
  const low = text.toLowerCase();
  if (low === 'true' || low === 'false') return low === 'true';
  if (low === 'none' || low === 'null') return null;
  if (text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** Validates level, variant and params against a world's definition and builds the env. */
export function makeWorldEnv(definition: WorldDefinition, options: MakeEnvOptions = {}): MadeEnv {
  const level = options.level ?? definition.defaultLevel;
  if (!definition.levels.includes(level)) {
    throw new UserInputError(
      `${definition.id} has no level ${level} (${choicesHint(definition.levels)})`,
      '--level',
    );
  }
  let variant: string | undefined;
  if (definition.variants) {
    variant = options.variant ?? definition.defaultVariant ?? definition.variants[0];
    if (!definition.variants.includes(variant)) {
      throw new UserInputError(
        `${definition.id} has no variant '${variant}' (${choicesHint(definition.variants, variant)})`,
        '--variant',
      );
    }
  } else if (options.variant !== undefined) {
    throw new UserInputError(`${definition.id} has no variants`, '--variant');
  }
  const raw: Record<string, unknown> = {};
  const known = Object.keys(definition.params.shape);
  for (const [key, value] of Object.entries(options.params ?? {})) {
    if (!known.includes(key)) {
      const hint = known.length ? choicesHint(known, key) : 'this world takes no parameters';
      throw new UserInputError(`${definition.id} has no parameter '${key}' (${hint})`, '--param');
    }
    raw[key] = typeof value === 'string' ? parseParamValue(value) : value;
  }
  const parsed = definition.params.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserInputError(
      `${definition.id}: parameter '${issue.path.join('.')}': ${issue.message}`,
      '--param',
    );
  }
  const world = definition.create({ level, variant, params: parsed.data });
  const spec: EnvSpec = {
    id: definition.id,
    level,
    variant,
    // ASG's action spec: up, down, left, right; noop only where a world's `noops` flag adds it.
    // `step` still carries out a noop (4) everywhere, as pycolab does.
    numActions: (parsed.data as { noops?: boolean }).noops === true ? 5 : 4,
    actionNames:
      (parsed.data as { noops?: boolean }).noops === true
        ? ['up', 'down', 'left', 'right', 'noop']
        : ['up', 'down', 'left', 'right'],
    rows: world.rows,
    cols: world.cols,
    maxSteps: world.maxSteps,
    specified: definition.specified,
  };
  return { env: new GridEnv(world, spec, options.rng ?? new Rng(0)), intended: intendedView(world) };
}

/** A zod schema for worlds without parameters. */
export const noParams = z.object({});
