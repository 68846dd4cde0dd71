/**
 * Accuracy against distillation round for amplification and supervised learning, as an SVG drawn
 * with Observable Plot into linkedom's document (as src/plots/curves.ts does). The curves meet at
 * 1.0, so labels at their ends would overlap: each line is labelled where it first crosses 0.5,
 * which differs between the arms by construction (amplification climbs a level a round).
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
const COLOURS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#666666'];

/** Lines whose series name contains "all k" or "training" are dashed. */
export function accuracyFigureSvg(points: readonly AccuracyPoint[], xLabel: string, yLabel: string): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const series = [...new Set(points.map((p) => p.series))];
  const labels = series.flatMap((s) => {
    const line = points.filter((p) => p.series === s);
    const at = line.find((p) => p.accuracy >= 0.5) ?? line[line.length - 1];
    return at ? [at] : [];
  });
  const svg = Plot.plot({
    document,
    width: 760,
    height: 420,
    marginLeft: 56,
    style: { fontFamily: FONT, fontSize: '12px', background: 'white', color: 'black' },
    x: { label: xLabel, grid: true },
    y: { label: yLabel, grid: true, domain: [0, 1] },
    color: { domain: series, range: series.map((_, i) => COLOURS[i % COLOURS.length]) },
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
