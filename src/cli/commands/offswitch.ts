/**
 * `alignlab offswitch`: the off-switch game's incentive to defer, Δ = E[π_H(U)·U] − max(E[U], 0),
 * for a robot's belief about U (Gaussian, mixture or samples) and a human who is rational or
 * Boltzmann-noisy (`--beta`). `--plot DIR` draws Δ against σ, μ and β (SVG + PNG).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  type HumanModel,
  type OffSwitchBelief,
  offSwitchValue,
  parseMixture,
  RATIONAL_HUMAN,
  sampleGaussianBelief,
} from '../../align/assistance/off-switch.js';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { bootstrapInterval } from '../../evals/bootstrap.js';
import { type BandPoint, curveSvg, svgToPng } from '../../plots/curves.js';
import { parseInteger, parseNumber, readText } from '../flags.js';
import type { CliIo } from '../io.js';
import { checkOutputFolder } from '../out-path.js';

const beliefKinds = ['gaussian', 'mixture', 'samples'] as const;

interface OffSwitchFlags {
  mu: string;
  sigma: string;
  beta?: string;
  belief: string;
  components?: string;
  samples?: string;
  draws: string;
  seed: string;
  plot?: string;
  json?: boolean;
}

/** Numbers from a file: whitespace- or comma-separated, or a JSON array. */
function readSamples(path: string): number[] {
  const text = readText(path).trim();
  const tokens = text.startsWith('[')
    ? safeJsonArray(text, path)
    : text.split(/[\s,]+/).filter((t) => t !== '');
  if (tokens.length === 0) throw new UserInputError('no samples in the file', path);
  return tokens.map((t, i) => {
    const value = typeof t === 'number' ? t : Number(t);
    if (!Number.isFinite(value))
      throw new UserInputError(`sample ${i + 1} '${String(t)}' is not a number`, path);
    return value;
  });
}

function safeJsonArray(text: string, path: string): unknown[] {
  try {
    const data: unknown = JSON.parse(text);
    if (Array.isArray(data)) return data;
  } catch {
    // fall through to the error below
  }
  throw new UserInputError('not a JSON array of numbers', path);
}

function humanOf(beta: string | undefined): HumanModel {
  if (beta === undefined || beta === 'inf') return RATIONAL_HUMAN;
  return { beta: parseNumber(beta, '--beta', 0) };
}

/** Δ as a curve: one series per setting, drawn through curveSvg (lo = hi = the exact value). */
function curve(xs: readonly number[], series: Record<string, (x: number) => number>): BandPoint[] {
  return Object.entries(series).flatMap(([name, f]) =>
    xs.map((x) => {
      const value = f(x);
      return { x, series: name, mean: value, lo: value, hi: value, n: 1 };
    }),
  );
}

function range(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** The three plots of Δ (against σ, μ and β), written as SVG and PNG; returns the file names. */
export function writeOffSwitchPlots(dir: string, mu: number, sigma: number): string[] {
  mkdirSync(dir, { recursive: true });
  const delta = (m: number, s: number, human: HumanModel = RATIONAL_HUMAN) =>
    offSwitchValue({ kind: 'gaussian', mu: m, sigma: s }, human).delta;
  const betas = [0.25, 1, 4];
  const plots: [string, BandPoint[], string, boolean][] = [
    [
      'offswitch-sigma',
      curve(range(0, 3, 61), {
        rational: (s) => delta(mu, s),
        ...Object.fromEntries(betas.map((b) => [`β=${b}`, (s: number) => delta(mu, s, { beta: b })])),
      }),
      `robot's uncertainty σ (μ = ${mu})`,
      false,
    ],
    [
      'offswitch-mu',
      curve(range(-3, 3, 61), {
        rational: (m) => delta(m, sigma),
        ...Object.fromEntries(betas.map((b) => [`β=${b}`, (m: number) => delta(m, sigma, { beta: b })])),
      }),
      `robot's mean belief μ (σ = ${sigma})`,
      false,
    ],
    [
      'offswitch-beta',
      curve(
        Array.from({ length: 41 }, (_, i) => 10 ** (-2 + (4 * i) / 40)),
        Object.fromEntries(
          [0.25, 0.75, 1.5].map((m) => [`μ=${m}, σ=${sigma}`, (b: number) => delta(m, sigma, { beta: b })]),
        ),
      ),
      'human rationality β (Δ < 0: deferring to a noisy human is harmful)',
      true,
    ],
  ];
  const files: string[] = [];
  for (const [name, points, xLabel, logX] of plots) {
    const svg = curveSvg(points, { xLabel, yLabel: 'incentive to defer Δ', logX });
    writeFileSync(join(dir, `${name}.svg`), svg);
    writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
    files.push(`${name}.svg`, `${name}.png`);
  }
  return files;
}

export function registerOffSwitchCommands(program: Command, io: CliIo): void {
  program
    .command('offswitch')
    .description("the off-switch game: the robot's incentive to defer, Δ = E[π_H(U)·U] − max(E[U], 0)")
    .option('--mu <m>', "mean of the robot's Gaussian belief about U", '0')
    .option('--sigma <s>', 'standard deviation of the belief (0: a certain robot)', '1')
    .option('--beta <b>', "the human's rationality: π_H(U) = sigmoid(βU); omit or 'inf' for a rational human")
    .option('--belief <kind>', `belief over U: ${beliefKinds.join(', ')}`, 'gaussian')
    .option('--components <list>', 'mixture components w:mu:sigma,w:mu:sigma (with --belief mixture)')
    .option(
      '--samples <file>',
      'samples of U, a JSON array or whitespace/comma-separated (with --belief samples)',
    )
    .option(
      '--draws <n>',
      'Monte Carlo draws from N(mu, sigma) when --belief samples has no --samples file',
      '100000',
    )
    .option('--seed <n>', 'seed of the Monte Carlo draws and of the bootstrap interval', '0')
    .option('--plot <dir>', 'write plots of Δ against σ, μ and β (SVG + PNG) into this folder')
    .option('--json', 'print one JSON object {delta, valueWait, valueAct, valueOff, pAllowed, action, ...}')
    .action((flags: OffSwitchFlags) => {
      if (!(beliefKinds as readonly string[]).includes(flags.belief)) {
        throw new UserInputError(
          `unknown belief '${flags.belief}' (${choicesHint(beliefKinds, flags.belief)})`,
          '--belief',
        );
      }
      const mu = parseNumber(flags.mu, '--mu', -1e6, 1e6);
      const sigma = parseNumber(flags.sigma, '--sigma', 0, 1e6);
      const human = humanOf(flags.beta);
      const seed = parseInteger(flags.seed, '--seed', 0, 2 ** 32 - 1);
      const plotDir = flags.plot === undefined ? undefined : checkOutputFolder(flags.plot, '--plot');
      let belief: OffSwitchBelief;
      if (flags.belief === 'mixture') {
        if (flags.components === undefined)
          throw new UserInputError('give --components w:mu:sigma,...', '--belief mixture');
        const parsed = parseMixture(flags.components);
        if (typeof parsed === 'string') throw new UserInputError(parsed, '--components');
        belief = { kind: 'mixture', components: parsed };
      } else if (flags.belief === 'samples') {
        const values =
          flags.samples !== undefined
            ? readSamples(flags.samples)
            : sampleGaussianBelief(
                new Rng(seed),
                mu,
                sigma,
                parseInteger(flags.draws, '--draws', 2, 10_000_000),
              );
        belief = { kind: 'samples', values };
      } else {
        belief = { kind: 'gaussian', mu, sigma };
      }
      const value = offSwitchValue(belief, human);
      const out: Record<string, unknown> = {
        ...value,
        belief: belief.kind === 'samples' ? { kind: 'samples', n: belief.values.length } : belief,
        human: human.beta === Number.POSITIVE_INFINITY ? 'rational' : { beta: human.beta },
      };
      if (belief.kind === 'samples') {
        // The Monte Carlo error of Δ: a bootstrap over the samples (seeded).
        // 200 resamples: a 95% interval to two digits, in well under a second at 1e5 samples.
        out.ci95 = bootstrapInterval(
          belief.values,
          (sample) => offSwitchValue({ kind: 'samples', values: sample }, human).delta,
          {
            seed,
            resamples: 200,
          },
        );
      }
      if (plotDir !== undefined)
        out.plots = writeOffSwitchPlots(plotDir, mu, sigma).map((f) => join(plotDir, f));
      if (flags.json) {
        io.out(`${JSON.stringify(out)}\n`);
        return;
      }
      io.out(
        `Δ = ${value.delta.toFixed(5)} (${value.method}); wait ${value.valueWait.toFixed(5)}, act ${value.valueAct.toFixed(5)}, off 0; ` +
          `human allows ${(100 * value.pAllowed).toFixed(1)}%; best: ${value.action}\n`,
      );
      const ci = out.ci95 as { lo: number; hi: number } | null | undefined;
      if (ci)
        io.out(`95% bootstrap interval of Δ over the samples: [${ci.lo.toFixed(5)}, ${ci.hi.toFixed(5)}]\n`);
      if (out.plots) io.out(`plots: ${(out.plots as string[]).join(', ')}\n`);
    });
}
