/**
 * Simulated raters as data: a zod schema for one rater or a panel, so a config file or CLI
 * flags can describe "β = 2, confidence bias 1.5, 10% slips" and `buildTextRater` turns it
 * into a Rater. The true utility is supplied by the caller (the pair source's ground truth).
 */
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { type Bias, confidenceBias, lengthBias, sycophancyBias } from './biases.js';
import { BoltzmannRater } from './boltzmann-rater.js';
import { RaterPanel } from './panel.js';
import type { Rater, TrueUtility } from './rater.js';

export const simulatedRaterSchema = z
  .object({
    // "inf" (or YAML's .inf) is the perfectly rational rater.
    beta: z
      .union([
        z.number().min(0),
        z.literal('inf').transform(() => Number.POSITIVE_INFINITY),
        z.custom<number>((v) => v === Number.POSITIVE_INFINITY),
      ])
      .default(5)
      .describe('rationality β of the Boltzmann choice'),
    confidenceBias: z.number().default(0).describe('bonus for confident wording ("sure")'),
    lengthBias: z.number().default(0).describe('bonus per word (or char) of the output'),
    lengthUnit: z.enum(['word', 'char']).default('word'),
    sycophancy: z.number().default(0).describe('bonus for agreeing with the belief stated in the prompt'),
    flipProbability: z.number().min(0).max(1).default(0).describe('ε: chance a label is flipped'),
    tieThreshold: z.number().min(0).optional(),
  })
  .strict();

export type SimulatedRaterConfig = z.infer<typeof simulatedRaterSchema>;

export const raterPanelSchema = z
  .object({
    panel: z.array(simulatedRaterSchema).min(1),
    aggregate: z.literal('majority').default('majority'),
  })
  .strict();

export const raterConfigSchema = z.union([simulatedRaterSchema, raterPanelSchema]);

export type RaterConfig = z.infer<typeof raterConfigSchema>;

const raterKeys = Object.keys(simulatedRaterSchema.shape).join(', ');

/** Validates a rater config read from a file; errors name the key and list the valid ones. */
export function parseRaterConfig(data: unknown, where: string): RaterConfig {
  const isPanel = typeof data === 'object' && data !== null && 'panel' in data;
  const parsed = (isPanel ? raterPanelSchema : simulatedRaterSchema).safeParse(data ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = issue.path.length ? issue.path.join('.') : 'top level';
  const hint = `a rater has ${raterKeys}; a panel is {panel: [rater, ...], aggregate: majority}`;
  throw new UserInputError(`${key}: ${issue.message} (${hint})`, where);
}

export function textBiases(config: SimulatedRaterConfig): Bias<string>[] {
  const biases: Bias<string>[] = [];
  if (config.confidenceBias !== 0) biases.push(confidenceBias(config.confidenceBias));
  if (config.lengthBias !== 0) biases.push(lengthBias(config.lengthBias, config.lengthUnit));
  if (config.sycophancy !== 0) biases.push(sycophancyBias(config.sycophancy));
  return biases;
}

/** A rater (or majority panel) over text outputs; each panel member draws from its own child stream. */
export function buildTextRater(
  config: RaterConfig,
  trueUtility: TrueUtility<string>,
  rng: Rng,
): Rater<string> {
  const one = (c: SimulatedRaterConfig, r: Rng) =>
    new BoltzmannRater<string>({
      trueUtility,
      beta: c.beta,
      biases: textBiases(c),
      flipProbability: c.flipProbability,
      tieThreshold: c.tieThreshold,
      rng: r,
    });
  if ('panel' in config) return new RaterPanel(config.panel.map((c, i) => one(c, rng.derive(`panel-${i}`))));
  return one(config, rng);
}
