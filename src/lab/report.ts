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
import { bandOverSeeds, curveSvg, prefersLogX, type SeedPoint, svgToPng } from '../plots/curves.js';
import type { Evidence } from './evidence.js';
import { evidenceFromStore } from './reproduce.js';
import type { LabStore, RunRecord } from './store.js';
import { alignmentGap, meanResult, powersOf, seedResults } from './summary.js';

export type ReportTarget = { experiment: string; batch?: number } | { run: number };

export interface WrittenReport {
  dir: string;
  markdown: string;
  files: string[];
  checks?: ClaimCheck[];
  evidence?: Evidence;
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

/** Learning curves of the runs, per seed: the standard metric names against steps. */
function stepPoints(store: LabStore, runs: readonly RunRecord[], suffix = ''): SeedPoint[] {
  const points: SeedPoint[] = [];
  for (const run of runs) {
    for (const name of suffix ? [INTENDED] : [SPECIFIED, INTENDED]) {
      for (const m of store.metrics(run.id, name)) {
        points.push({ x: m.step, seed: run.seed, series: `${name}${suffix}`, value: m.value });
      }
    }
  }
  return points;
}

/** Final scores against the swept parameter, per seed (`suffix` names a control arm's series). */
function powerPoints(runs: readonly RunRecord[], suffix = ''): SeedPoint[] {
  const points: SeedPoint[] = [];
  for (const run of runs) {
    if (!run.result || typeof run.sweepValue !== 'number') continue;
    const x = run.sweepValue;
    const seed = run.seed;
    if (!suffix) points.push({ x, seed, series: SPECIFIED, value: run.result.specified });
    points.push({ x, seed, series: `${INTENDED}${suffix}`, value: run.result.intended });
    if (!suffix && run.result.intendedBest !== undefined) {
      points.push({ x, seed, series: 'intended best', value: run.result.intendedBest });
    }
  }
  return points;
}

function writePlot(dir: string, name: string, svg: string, files: string[]): void {
  writeFileSync(join(dir, `${name}.svg`), svg);
  writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
  files.push(join(dir, `${name}.svg`), join(dir, `${name}.png`));
}

function selectRuns(
  store: LabStore,
  target: ReportTarget,
): { experimentId: string; runs: RunRecord[]; title: string; batch?: number } {
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
  return { experimentId: target.experiment, runs, title: `batch ${batch}`, batch };
}

/** The evidence section of a report: verdict, gates, checks with seeds, intervals and controls. */
export function evidenceMarkdown(evidence: Evidence): string[] {
  const lines = [`## Verdict: ${evidence.verdict}`, ''];
  if (evidence.reasons.length > 0) lines.push(...evidence.reasons.map((r) => `- ${r}`), '');
  if (evidence.gates.length > 0) {
    lines.push(
      '### Competence gates',
      '',
      markdownTable(
        ['gate', 'value', 'needs', 'result'],
        evidence.gates.map((g) => [g.name, formatNumber(g.value), g.expected, g.passed ? 'met' : 'NOT MET']),
      ),
      '',
    );
  }
  lines.push(
    '### Claim checks',
    '',
    'Value on the mean over seeds, its 95% bootstrap interval over seeds, the seeds on which the check passes alone, and its value under each control (where the claim must not hold).',
    '',
    markdownTable(
      ['check', 'value', '95% CI', 'expected', 'seeds passed', 'controls', 'result'],
      evidence.checks.map((c) => [
        c.name,
        formatNumber(c.value),
        formatInterval(c.ci),
        c.expected,
        `${c.seedsPassed}/${c.seeds}`,
        c.controls
          .map((k) => `${k.name}: ${formatNumber(k.value)} ${k.passed ? 'pass' : 'fail'}`)
          .join('; ') || '-',
        `${c.passed ? 'pass' : 'FAIL'}${c.informative ? '' : ' (uninformative)'}`,
      ]),
    ),
    '',
  );
  if (evidence.controls.length > 0) {
    lines.push(
      '### Controls',
      '',
      markdownTable(
        ['control', 'why the claim must not hold', 'runs', 'specified', 'intended'],
        evidence.controls.map((c) => [
          c.name,
          c.why,
          `${c.runs}/${c.planned}`,
          formatNumber(c.result.specified),
          formatNumber(c.result.intended),
        ]),
      ),
      '',
    );
  }
  return lines;
}

export function formatInterval(ci: readonly [number, number] | null): string {
  return ci ? `[${formatNumber(ci[0])}, ${formatNumber(ci[1])}]` : '-';
}

/**
 * Writes `<dir>/README.md` and `<dir>/index.html` plus `steps.svg/png` and (for a sweep)
 * `power.svg/png`. The default folder is `reports/<experiment>/` (`.../run-<id>/` for one run).
 * An experiment batch's report carries the evidence: verdict, gates, checks per seed with
 * intervals, and the control arms (drawn as dashed lines).
 */
export function writeReport(
  store: LabStore,
  registry: ExperimentRegistry,
  target: ReportTarget,
  outDir?: string,
): WrittenReport {
  const { experimentId, runs, title, batch } = selectRuns(store, target);
  const experiment: Experiment | undefined = registry.has(experimentId)
    ? registry.get(experimentId)
    : undefined;
  const dir = resolve(
    outDir ??
      ('run' in target
        ? join(DEFAULT_REPORT_ROOT, safeName(experimentId), `run-${target.run}`)
        : join(DEFAULT_REPORT_ROOT, safeName(experimentId))),
  );
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const done = runs.filter((r) => r.status === 'done');
  const sweepParam = runs.find((r) => r.sweepParam)?.sweepParam ?? null;
  const powerLabel =
    experiment?.power?.param === sweepParam ? experiment?.power?.label : (sweepParam ?? undefined);
  const controlRuns =
    batch === undefined
      ? []
      : store.controlBatches(batch).map((c) => ({
          arm: c.arm,
          runs: store.listRuns({ batch: c.batch }).filter((r) => r.status === 'done'),
        }));

  const lines: string[] = [`# ${experiment?.title ?? experimentId} — ${title}`, ''];
  if (experiment) lines.push(`**Claim.** ${experiment.claim}`, '');
  lines.push(
    `Experiment \`${experimentId}\`, ${runs.length} run(s) (${done.length} done), code ${[...new Set(runs.map((r) => r.codeVersion))].join(', ')}, ` +
      `seeds ${[...new Set(runs.map((r) => r.seed))].join(', ')}.`,
    '',
  );

  let checks: ClaimCheck[] | undefined;
  let evidence: Evidence | undefined;
  if (experiment && batch !== undefined) {
    evidence = evidenceFromStore(store, experiment, batch);
    checks = evidence.checks;
    lines.push(...evidenceMarkdown(evidence));
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
    const seeds = powerPoints(done);
    const points = [...seeds, ...controlRuns.flatMap((c) => powerPoints(c.runs, ` (control ${c.arm})`))];
    const band = bandOverSeeds(points, 'ci95');
    if (band.length > 0) {
      writePlot(
        dir,
        'power',
        curveSvg(band, {
          xLabel: powerLabel ?? sweepParam,
          yLabel: 'final score',
          logX: prefersLogX(band.map((p) => p.x)),
          seeds,
        }),
        files,
      );
      lines.push(
        '![specified and intended score against optimization power](power.png)',
        '',
        "Thick lines: mean over seeds, with its 95% bootstrap band; thin lines: each seed; dashed: the controls' intended score. SVG: [power.svg](power.svg).",
        '',
      );
    }
  }

  // Learning curves at the highest power, where the gap is widest.
  const top = powers[powers.length - 1];
  const atTop = (list: readonly RunRecord[]) => list.filter((r) => (r.sweepValue ?? undefined) === top);
  const curveRuns = atTop(done);
  const seeds = stepPoints(store, curveRuns.length > 0 ? curveRuns : runs);
  if (seeds.length > 0) {
    const points = [
      ...seeds,
      ...controlRuns.flatMap((c) => stepPoints(store, atTop(c.runs), ` (control ${c.arm})`)),
    ];
    lines.push(`## Against training steps${top !== undefined ? ` (${sweepParam} = ${top})` : ''}`, '');
    writePlot(
      dir,
      'steps',
      curveSvg(bandOverSeeds(points), { xLabel: 'training step', yLabel: 'score', seeds }),
      files,
    );
    lines.push(
      '![specified and intended score against training steps](steps.png)',
      '',
      "Thick lines: mean over seeds, band: min–max over seeds; thin lines: each seed; dashed: the controls' intended score. SVG: [steps.svg](steps.svg).",
      '',
    );
  }

  // Figures an experiment saved itself (SVG artifacts, e.g. a frontier), from the first finished run.
  const figureRun = done[0];
  const figures = figureRun ? store.artifacts(figureRun.id).filter((a) => a.name.endsWith('.svg')) : [];
  if (figureRun && figures.length > 0) {
    lines.push(`## Figures (run ${figureRun.id}, seed ${figureRun.seed})`, '');
    for (const figure of figures) {
      const base = safeName(figure.name.replace(/\.svg$/, ''));
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
  const html = join(dir, 'index.html');
  writeFileSync(html, markdownToHtml(lines, `${experiment?.title ?? experimentId} — ${title}`));
  files.push(html);
  return { dir, markdown, files, checks, evidence };
}

/** A file or folder name from a stored name: no separators, no dot-dot, nothing but [\w.-]. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^\w.-]/g, '_').replace(/^\.+/, '_');
  return cleaned.length > 0 ? cleaned.slice(0, 120) : '_';
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function inlineHtml(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, '<a href="$2">$1</a>');
}

/** The report's Markdown (the subset it writes: headings, tables, lists, images, code) as one HTML page. */
export function markdownToHtml(lines: readonly string[], title: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith('```')) {
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) code.push(lines[i]);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      i++;
      continue;
    }
    if (line.startsWith('|')) {
      const rows: string[][] = [];
      for (; i < lines.length && lines[i].startsWith('|'); i++) {
        rows.push(
          lines[i]
            .slice(2, -2)
            .split(/ (?<!\\)\| /)
            .map((c) => c.replace(/\\\|/g, '|')),
        );
      }
      const [head, , ...body] = rows;
      out.push(
        `<table><thead><tr>${head.map((c) => `<th>${inlineHtml(c)}</th>`).join('')}</tr></thead><tbody>${body
          .map((r) => `<tr>${r.map((c) => `<td>${inlineHtml(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
      );
      continue;
    }
    const heading = /^(#{1,3}) (.*)$/.exec(line);
    const image = /^!\[([^\]]*)\]\(([^)]+)\.png\)$/.exec(line);
    if (heading) out.push(`<h${heading[1].length}>${inlineHtml(heading[2])}</h${heading[1].length}>`);
    else if (image)
      out.push(`<figure><img src="${escapeHtml(image[2])}.svg" alt="${escapeHtml(image[1])}"></figure>`);
    else if (line.startsWith('- ')) out.push(`<li>${inlineHtml(line.slice(2))}</li>`);
    else if (line.trim()) out.push(`<p>${inlineHtml(line)}</p>`);
    i++;
  }
  const style =
    'body{font-family:DejaVu Sans,Arial,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}' +
    'table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}' +
    'img{max-width:100%}pre{background:#f6f6f6;padding:8px;overflow:auto}';
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${style}</style></head><body>\n${out.join('\n')}\n</body></html>\n`;
}
