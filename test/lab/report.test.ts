import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/lab/report.js';
import { runPlan } from '../../src/lab/runner.js';
import { LabStore } from '../../src/lab/store.js';
import { bandOverSeeds, curveSvg, prefersLogX, svgToPng } from '../../src/plots/curves.js';
import { counter, tempDir, testRegistry } from './fixtures.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('plots', () => {
  it('bands over seeds: mean, min and max per x and series', () => {
    const band = bandOverSeeds([
      { x: 1, series: 'intended', value: 1 },
      { x: 1, series: 'intended', value: 3 },
      { x: 1, series: 'intended', value: 8 },
      { x: 2, series: 'intended', value: 2 },
      { x: 1, series: 'specified', value: Number.NaN },
    ]);
    expect(band).toEqual([
      { x: 1, series: 'intended', mean: 4, lo: 1, hi: 8, n: 3 },
      { x: 2, series: 'intended', mean: 2, lo: 2, hi: 2, n: 1 },
    ]);
  });

  it('uses a log axis only for positive values spanning more than a decade', () => {
    expect(prefersLogX([2, 1024])).toBe(true);
    expect(prefersLogX([2, 8])).toBe(false);
    expect(prefersLogX([0, 100])).toBe(false);
  });

  it('draws a standalone SVG with both series labelled, and rasterises it to PNG', () => {
    const svg = curveSvg(
      bandOverSeeds([
        { x: 1, series: 'specified', value: 1 },
        { x: 2, series: 'specified', value: 3 },
        { x: 1, series: 'intended', value: 1 },
        { x: 2, series: 'intended', value: 0 },
      ]),
      { xLabel: 'step', yLabel: 'score' },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('>specified<');
    expect(svg).toContain('>intended<');
    const png = svgToPng(svg, 1);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(png.readUInt32BE(16)).toBe(720); // IHDR width at zoom 1
  });
});

describe('reports', () => {
  it('writes Markdown, SVG and PNG for an experiment batch, with its claim checks and runs', async () => {
    const store = LabStore.open(join(tempDir(), 'lab.db'));
    await runPlan(
      {
        experiment: counter,
        raw: {},
        seeds: [0, 1],
        sweep: { param: 'steps', values: [5, 20] },
        command: 'test',
      },
      { store, workers: 0 },
    );
    const out = join(tempDir(), 'report');
    const written = writeReport(store, testRegistry, { experiment: 'counter' }, out);
    expect(written.files.map((f) => f.slice(out.length + 1))).toEqual([
      'README.md',
      'power.svg',
      'power.png',
      'steps.svg',
      'steps.png',
      'figure.svg',
      'figure.png',
      'index.html',
    ]);
    const markdown = readFileSync(written.markdown, 'utf8');
    expect(markdown).toMatch(/## Figures \(run \d+, seed 0\)\n\n!\[figure\]\(figure\.png\)/);
    expect(markdown).toContain(counter.claim);
    // No control batch here: the check cannot be informative, so the verdict is 'fails'.
    expect(markdown).toContain(
      '| specified - intended at the highest power | 10 | [10, 10] | >= 5 | 2/2 | - | pass (uninformative) |',
    );
    expect(markdown).toContain('## Verdict: fails');
    // steps = 20 gives specified 20 and intended 10 on both seeds: mean ± sd.
    expect(markdown).toContain('| 20 | 2 | 20 ± 0 | 10 ± 0 | 0 ± 0 |');
    expect(markdown).toContain('![specified and intended score against optimization power](power.png)');
    expect(readFileSync(join(out, 'steps.png')).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    store.close();
  });

  it('reports one run by id, and says when an experiment has no finished runs', async () => {
    const store = LabStore.open(join(tempDir(), 'lab.db'));
    const { outcomes } = await runPlan(
      { experiment: counter, raw: { steps: 4 }, seeds: [3], command: 'test' },
      { store, workers: 0 },
    );
    const written = writeReport(store, testRegistry, { run: outcomes[0].id }, join(tempDir(), 'run'));
    expect(readFileSync(written.markdown, 'utf8')).toContain('— run 1');
    expect(written.files.some((f) => f.endsWith('steps.png'))).toBe(true);
    expect(() => writeReport(store, testRegistry, { experiment: 'other' })).toThrow(
      /no finished runs of 'other'/,
    );
    store.close();
  });
});
