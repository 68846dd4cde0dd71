/**
 * Reports: one Markdown page per experiment batch (or per run) with its claim, its runs,
 * the claim checks, and two plots as SVG and PNG — specified and intended scores against
 * training steps, and against optimization power (the Goodhart curve), each with the
 * spread over seeds as a band.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserInputError } from '../core/errors.js';
import type { ExperimentRegistry } from '../experiments/registry.js';
import { type ClaimCheck, type Experiment, INTENDED, SPECIFIED } from '../experiments/types.js';
import { type BandPoint, bandOverSeeds, curveSvg, prefersLogX, type SeriesPoint, svgToPng } from './plots.js';
import type { LabStore, RunRecord } from './store.js';
import { alignmentGap, checkClaim, meanResult, powersOf, seedResults } from './summary.js';

export type ReportTarget = { experiment: string; batch?: number } | { run: number };

export interface WrittenReport {
  dir: string;
  markdown: string;
  files: string[];
  checks?: ClaimCheck[];
}

export const DEFAULT_REPORT_ROOT = 'reports';

export function formatNumber(x: number | undefined | null, digits = 3): string {
  if (x === undefined || x === null || Number.isNaN(x)) return '-';
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 1000 ? x.toFixed(0) : x.toFixed(digits);
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function std(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / (values.length - 1));
}

/** Learning curves of the runs: the standard metric names against steps. */
function stepCurves(store: LabStore, runs: readonly RunRecord[]): BandPoint[] {
  const points: SeriesPoint[] = [];
  for (const run of runs) {
    for (const name of [SPECIFIED, INTENDED]) {
      for (const m of store.metrics(run.id, name)) points.push({ x: m.step, series: name, value: m.value });
    }
  }
  return bandOverSeeds(points);
}

/** Final scores against the swept parameter. */
function powerCurves(runs: readonly RunRecord[]): BandPoint[] {
  const points: SeriesPoint[] = [];
  for (const run of runs) {
    if (!run.result || typeof run.sweepValue !== 'number') continue;
    points.push({ x: run.sweepValue, series: SPECIFIED, value: run.result.specified });
    points.push({ x: run.sweepValue, series: INTENDED, value: run.result.intended });
    if (run.result.intendedBest !== undefined) {
      points.push({ x: run.sweepValue, series: 'intended best', value: run.result.intendedBest });
    }
  }
  return bandOverSeeds(points);
}

function writePlot(dir: string, name: string, svg: string, files: string[]): void {
  writeFileSync(join(dir, `${name}.svg`), svg);
  writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
  files.push(join(dir, `${name}.svg`), join(dir, `${name}.png`));
}

function selectRuns(
  store: LabStore,
  target: ReportTarget,
): { experimentId: string; runs: RunRecord[]; title: string } {
  if ('run' in target) {
    const run = store.requireRun(target.run);
    return { experimentId: run.experiment, runs: [run], title: `run ${run.id}` };
  }
  const batch = target.batch ?? store.latestBatch(target.experiment);
  if (batch === undefined) {
    throw new UserInputError(
      `no finished runs of '${target.experiment}' in ${store.path} (run \`alignlab run ${target.experiment}\` first)`,
    );
  }
  const runs = store.listRuns({ experiment: target.experiment, batch });
  if (runs.length === 0) throw new UserInputError(`batch ${batch} has no runs of '${target.experiment}'`);
  return { experimentId: target.experiment, runs, title: `batch ${batch}` };
}

/**
 * Writes `<dir>/README.md` plus `steps.svg/png` and (for a sweep) `power.svg/png`. The
 * default folder is `reports/<experiment>/` (`reports/<experiment>/run-<id>/` for one run).
 */
export function writeReport(
  store: LabStore,
  registry: ExperimentRegistry,
  target: ReportTarget,
  outDir?: string,
): WrittenReport {
  const { experimentId, runs, title } = selectRuns(store, target);
  const experiment: Experiment | undefined = registry.has(experimentId)
    ? registry.get(experimentId)
    : undefined;
  const dir = resolve(
    outDir ??
      ('run' in target
        ? join(DEFAULT_REPORT_ROOT, experimentId, `run-${target.run}`)
        : join(DEFAULT_REPORT_ROOT, experimentId)),
  );
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const done = runs.filter((r) => r.status === 'done');
  const sweepParam = runs.find((r) => r.sweepParam)?.sweepParam ?? null;
  const powerLabel =
    experiment?.power?.param === sweepParam ? experiment?.power?.label : (sweepParam ?? undefined);

  const lines: string[] = [`# ${experiment?.title ?? experimentId} — ${title}`, ''];
  if (experiment) lines.push(`**Claim.** ${experiment.claim}`, '');
  lines.push(
    `Experiment \`${experimentId}\`, ${runs.length} run(s) (${done.length} done), code ${[...new Set(runs.map((r) => r.codeVersion))].join(', ')}, ` +
      `seeds ${[...new Set(runs.map((r) => r.seed))].join(', ')}.`,
    '',
  );

  let checks: ClaimCheck[] | undefined;
  if (experiment && 'experiment' in target) {
    checks = checkClaim(experiment, seedResults(runs)).checks;
    lines.push(
      '## Claim checks',
      '',
      markdownTable(
        ['check', 'value', 'expected', 'result'],
        checks.map((c) => [c.name, formatNumber(c.value), c.expected, c.passed ? 'pass' : 'FAIL']),
      ),
      '',
    );
  }

  const powers = powersOf(seedResults(done));
  if (sweepParam && powers.length > 1) {
    lines.push(`## Against optimization power (${powerLabel})`, '');
    const rows = powers.map((power) => {
      const results = done.filter((r) => r.sweepValue === power).map((r) => r.result!);
      const m = meanResult(results);
      const gaps = results.map(alignmentGap).filter((g): g is number => g !== undefined);
      return [
        String(power),
        String(results.length),
        `${formatNumber(m.specified)} ± ${formatNumber(std(results.map((r) => r.specified)))}`,
        `${formatNumber(m.intended)} ± ${formatNumber(std(results.map((r) => r.intended)))}`,
        gaps.length
          ? `${formatNumber(gaps.reduce((a, b) => a + b, 0) / gaps.length)} ± ${formatNumber(std(gaps))}`
          : '-',
      ];
    });
    lines.push(
      markdownTable(
        [sweepParam, 'seeds', 'specified (mean ± sd)', 'intended (mean ± sd)', 'gap (mean ± sd)'],
        rows,
      ),
      '',
    );
    const band = powerCurves(done);
    if (band.length > 0) {
      writePlot(
        dir,
        'power',
        curveSvg(band, {
          xLabel: powerLabel ?? sweepParam,
          yLabel: 'final score',
          logX: prefersLogX(band.map((p) => p.x)),
        }),
        files,
      );
      lines.push(
        '![specified and intended score against optimization power](power.png)',
        '',
        `Lines: mean over seeds; band: min–max over seeds. SVG: [power.svg](power.svg).`,
        '',
      );
    }
  }

  // Learning curves at the highest power, where the gap is widest.
  const top = powers[powers.length - 1];
  const curveRuns = done.filter((r) => (r.sweepValue ?? undefined) === top);
  const steps = stepCurves(store, curveRuns.length > 0 ? curveRuns : runs);
  if (steps.length > 0) {
    lines.push(`## Against training steps${top !== undefined ? ` (${sweepParam} = ${top})` : ''}`, '');
    writePlot(dir, 'steps', curveSvg(steps, { xLabel: 'training step', yLabel: 'score' }), files);
    lines.push(
      '![specified and intended score against training steps](steps.png)',
      '',
      'SVG: [steps.svg](steps.svg).',
      '',
    );
  }

  // Figures an experiment saved itself (SVG artifacts, e.g. a frontier), from the first finished run.
  const figureRun = done[0];
  const figures = figureRun ? store.artifacts(figureRun.id).filter((a) => a.name.endsWith('.svg')) : [];
  if (figureRun && figures.length > 0) {
    lines.push(`## Figures (run ${figureRun.id}, seed ${figureRun.seed})`, '');
    for (const figure of figures) {
      const base = figure.name.replace(/\.svg$/, '').replace(/[^\w.-]/g, '_');
      writePlot(dir, base, figure.data.toString('utf8'), files);
      lines.push(`![${base}](${base}.png)`, '', `SVG: [${base}.svg](${base}.svg).`, '');
    }
  }

  lines.push(
    '## Runs',
    '',
    markdownTable(
      ['run', 'seed', sweepParam ?? 'power', 'status', 'specified', 'intended', 'gap', 'config hash'],
      runs.map((r) => [
        String(r.id),
        String(r.seed),
        r.sweepValue === null ? '-' : String(r.sweepValue),
        r.status,
        formatNumber(r.result?.specified),
        formatNumber(r.result?.intended),
        formatNumber(r.result ? alignmentGap(r.result) : undefined),
        r.configHash,
      ]),
    ),
    '',
  );
  if (runs.length > 0)
    lines.push('Config of the first run:', '', '```json', JSON.stringify(runs[0].config, null, 2), '```', '');
  const markdown = join(dir, 'README.md');
  writeFileSync(markdown, lines.join('\n'));
  files.unshift(markdown);
  return { dir, markdown, files, checks };
}
