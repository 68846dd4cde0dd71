/**
 * Curves with a band over seeds, drawn with Observable Plot into linkedom's document (no
 * browser) and rasterised to PNG with resvg. The lines are labelled at their ends, so the
 * SVG needs no HTML legend and renders the same in a browser, on GitHub and as a PNG.
 */
import * as Plot from '@observablehq/plot';
import { Resvg } from '@resvg/resvg-js';
import { parseHTML } from 'linkedom';
import { meanInterval } from '../evals/bootstrap.js';

export interface SeriesPoint {
  x: number;
  series: string;
  value: number;
}

/** Mean, min and max over seeds of one series at one x. */
export interface BandPoint {
  x: number;
  series: string;
  mean: number;
  lo: number;
  hi: number;
  n: number;
}

/**
 * The mean of each series at each x over seeds, with a band: the min–max range over seeds
 * (`range`, the default), or the 95% bootstrap interval of the mean (`ci95`).
 */
export function bandOverSeeds(points: readonly SeriesPoint[], band: 'range' | 'ci95' = 'range'): BandPoint[] {
  const groups = new Map<string, { x: number; series: string; values: number[] }>();
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const key = `${p.series}\u0000${p.x}`;
    const group = groups.get(key) ?? { x: p.x, series: p.series, values: [] };
    group.values.push(p.value);
    groups.set(key, group);
  }
  return [...groups.values()]
    .map(({ x, series, values }) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const ci = band === 'ci95' ? meanInterval(values, { resamples: 500 }) : null;
      return {
        x,
        series,
        mean,
        lo: ci ? ci.lo : band === 'ci95' ? mean : Math.min(...values),
        hi: ci ? ci.hi : band === 'ci95' ? mean : Math.max(...values),
        n: values.length,
      };
    })
    .sort((a, b) => (a.series === b.series ? a.x - b.x : a.series < b.series ? -1 : 1));
}

/** Fixed colours per objective, so every report reads the same way. */
const SERIES_COLOURS: Record<string, string> = {
  specified: '#d95f02',
  intended: '#1b9e77',
  'intended best': '#7570b3',
};
const FALLBACK_COLOURS = ['#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

/** One seed's value of one series at one x: drawn as a thin line per (series, seed). */
export interface SeedPoint extends SeriesPoint {
  seed: number;
}

export interface CurveOptions {
  xLabel: string;
  yLabel: string;
  /** Per-seed values drawn as thin lines under the mean. */
  seeds?: readonly SeedPoint[];
  /** Log-scaled x (optimization power spanning decades). */
  logX?: boolean;
  width?: number;
  height?: number;
}

const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

export function curveSvg(points: readonly BandPoint[], options: CurveOptions): string {
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const series = [...new Set(points.map((p) => p.series))];
  const colours = series.map((s, i) => SERIES_COLOURS[s] ?? FALLBACK_COLOURS[i % FALLBACK_COLOURS.length]);
  // Controls (series named "... (control x)") and the best achievable score are dashed.
  const dashed = (s: string) => (s === 'intended best' || s.includes('(control') ? '4,3' : null);
  const seedPoints = (options.seeds ?? []).filter(
    (p) => Number.isFinite(p.value) && series.includes(p.series),
  );
  const marks: Plot.Markish[] = [
    Plot.ruleY([0], { stroke: '#bbbbbb' }),
    Plot.areaY(points, { x: 'x', y1: 'lo', y2: 'hi', fill: 'series', fillOpacity: 0.18, curve: 'linear' }),
    Plot.line(seedPoints, {
      x: 'x',
      y: 'value',
      z: (p: SeedPoint) => `${p.series}\u0000${p.seed}`,
      stroke: 'series',
      strokeWidth: 0.8,
      strokeOpacity: 0.45,
    }),
    ...series.map((s) =>
      Plot.line(
        points.filter((p) => p.series === s),
        {
          x: 'x',
          y: 'mean',
          stroke: 'series',
          strokeWidth: 2,
          strokeDasharray: dashed(s) ?? undefined,
          marker: points.length < 40 ? 'dot' : undefined,
        },
      ),
    ),
    Plot.text(
      points,
      Plot.selectLast({
        x: 'x',
        y: 'mean',
        z: 'series',
        text: 'series',
        fill: 'series',
        textAnchor: 'start',
        dx: 6,
        fontSize: 12,
      }),
    ),
  ];
  const svg = Plot.plot({
    document,
    width: options.width ?? 720,
    height: options.height ?? 400,
    marginRight: 110,
    marginLeft: 56,
    style: { fontFamily: FONT, fontSize: '12px', background: 'white', color: 'black' },
    x: { label: options.xLabel, type: options.logX ? 'log' : 'linear', grid: true, nice: !options.logX },
    y: { label: options.yLabel, grid: true, nice: true },
    color: { domain: series, range: colours },
    marks,
  }) as unknown as Element;
  svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return svg.outerHTML;
}

export function svgToPng(svg: string, scale = 2): Buffer {
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/** Log x when the values are positive and span more than a decade. */
export function prefersLogX(xs: readonly number[]): boolean {
  const positive = xs.filter((x) => x > 0);
  return positive.length === xs.length && xs.length > 1 && Math.max(...xs) / Math.min(...positive) > 10;
}
