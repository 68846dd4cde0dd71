/**
 * Accuracy against distillation round for amplification and supervised learning, as an SVG drawn
 * with Observable Plot into linkedom's document (as src/plots/curves.ts does). The curves meet at
 * 1.0, so labels at their ends would overlap: each line is labelled near where it first crosses 0.5
 * (amplification climbs a level a round, so its lines cross later), moved along the line past labels
 * already placed.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

export interface AccuracyPoint {
  round: number;
  /** e.g. "amplification, k > 16". */
  series: string;
  accuracy: number;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const WIDTH = 760;
const MARGIN_LEFT = 56;

/** One colour per arm: the supervised lines orange, amplification green, the amplified answers purple. */
function colour(series: string): string {
  if (series.startsWith('supervised')) return '#d95f02';
  if (series.startsWith('Amplify')) return '#7570b3';
  return '#1b9e77';
}

/**
 * A label position per line: its first point at or above 0.5, else the next ones, else earlier
 * ones — the first that does not overlap a label already placed (greedy, in series order).
 */
function labelPositions(points: readonly AccuracyPoint[], series: readonly string[]): AccuracyPoint[] {
  const rounds = points.map((p) => p.round);
  const span = Math.max(1, Math.max(...rounds) - Math.min(...rounds));
  const roundsPerChar = (7 * span) / (WIDTH - MARGIN_LEFT - 30);
  const placed: AccuracyPoint[] = [];
  const overlaps = (a: AccuracyPoint, b: AccuracyPoint) =>
    Math.abs(a.accuracy - b.accuracy) < 0.06 &&
    a.round < b.round + b.series.length * roundsPerChar + 0.5 &&
    b.round < a.round + a.series.length * roundsPerChar + 0.5;
  for (const s of series) {
    const line = points.filter((p) => p.series === s);
    const first = Math.max(
      0,
      line.findIndex((p) => p.accuracy >= 0.5),
    );
    const candidates = [...line.slice(first), ...line.slice(0, first).reverse()];
    const at = candidates.find((c) => !placed.some((p) => overlaps(c, p))) ?? line[first];
    if (at) placed.push(at);
  }
  return placed;
}

/** Lines whose series name contains "all k" or "training" are dashed. */
export function accuracyFigureSvg(points: readonly AccuracyPoint[], xLabel: string, yLabel: string): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const series = [...new Set(points.map((p) => p.series))];
  const labels = labelPositions(points, series);
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: 420,
    marginLeft: MARGIN_LEFT,
    style: { fontFamily: FONT, fontSize: '12px', background: 'white', color: 'black' },
    x: { label: xLabel, grid: true },
    y: { label: yLabel, grid: true, domain: [0, 1] },
    color: { domain: series, range: series.map(colour) },
    marks: [
      ...series.map((s) =>
        Plot.line(
          points.filter((p) => p.series === s),
          {
            x: 'round',
            y: 'accuracy',
            stroke: 'series',
            strokeWidth: 2,
            strokeDasharray: /all k|training/.test(s) ? '5,3' : undefined,
            marker: 'dot',
          },
        ),
      ),
      Plot.text(labels, {
        x: 'round',
        y: 'accuracy',
        text: 'series',
        fill: 'series',
        textAnchor: 'start',
        dx: 8,
        dy: 4,
        fontSize: 12,
        stroke: 'white',
        strokeWidth: 3,
        paintOrder: 'stroke',
      }),
    ],
  }) as unknown as Element;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return svg.outerHTML;
}
