// The eval viewer: its JSON API, and the page itself in headless Chromium (playwright-core with
// the Debian `chromium` package; scripts/install-system-deps.sh installs it). Without
// /usr/bin/chromium the browser test is skipped with a message saying so.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLog } from '../../src/harness/log.js';
import { runEval } from '../../src/harness/run.js';
import { exactMatch } from '../../src/harness/scorers.js';
import { generate } from '../../src/harness/solvers.js';
import type { EvalModel, Task } from '../../src/harness/types.js';
import { startViewer, type ViewerServer } from '../../src/harness/viewer.js';

const CHROMIUM = process.env.ALIGNLAB_CHROMIUM ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM))
  console.warn(`viewer.test: ${CHROMIUM} is absent (apt-get install chromium); the browser test is skipped`);
let dir: string;
let viewer: ViewerServer;
let runA: string;
let runB: string;

/** A model that answers from a table; "boom" throws (an errored sample). */
function tableModel(id: string, answers: Record<string, string>): EvalModel {
  return {
    id,
    provider: 'table',
    fingerprint: id,
    async call(request) {
      const q = request.messages?.at(-1)?.content ?? '';
      if (q === 'boom') throw new Error('model exploded');
      return { text: answers[q] ?? '?', attempts: 1 };
    },
  };
}

const task: Task = {
  name: 'capitals',
  description: 'capitals of countries',
  samples: [
    { id: 'fr', input: 'France', target: 'Paris' },
    { id: 'de', input: 'Germany', target: 'Berlin' },
    { id: 'it', input: 'Italy', target: 'Rome' },
    { id: 'x', input: 'boom', target: 'none' },
  ],
  solver: generate(),
  scorers: [exactMatch()],
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alignlab-viewer-'));
  const a = await runEval(
    task,
    tableModel('model-a', { France: 'Paris', Germany: 'Munich', Italy: 'Rome' }),
    { runId: 'run-a' },
  );
  const b = await runEval(
    task,
    tableModel('model-b', { France: 'Paris', Germany: 'Berlin', Italy: 'Milan' }),
    { runId: 'run-b' },
  );
  writeLog(dir, a);
  writeLog(dir, b);
  runA = a.runId;
  runB = b.runId;
  viewer = await startViewer(dir, 0);
});
afterAll(async () => {
  await viewer.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eval viewer', { timeout: 240_000 }, () => {
  it('serves on loopback: the run list, a run, and the samples changed between two runs', async () => {
    expect(viewer.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const runs = (await (await fetch(`${viewer.url}api/runs`)).json()) as {
      runId: string;
      counts: { errored: number };
    }[];
    expect(runs.map((r) => r.runId).sort()).toEqual([runA, runB]);
    expect(runs[0].counts.errored).toBe(1);
    const changed = (await (await fetch(`${viewer.url}api/changed?a=${runA}&b=${runB}`)).json()) as {
      id: string;
    }[];
    expect(changed.map((c) => c.id).sort()).toEqual(['de', 'it']);
    expect((await fetch(`${viewer.url}api/runs/nope`)).status).toBe(404);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    `opens in headless Chromium and takes a screenshot (needs ${CHROMIUM})`,
    async () => {
      const { chromium } = await import('playwright-core');
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
        page.setDefaultTimeout(120_000); // a loaded machine is slow, never wrong
        await page.goto(viewer.url);
        await page.waitForSelector('#runs-table tr[data-run]');
        expect(await page.locator('#runs-table tr[data-run]').count()).toBe(2);
        await page.click(`#runs-table tr[data-run="${runA}"]`);
        await page.waitForSelector('#samples-table');
        expect(await page.locator('#samples-table tr.sample-row').count()).toBe(4);
        expect(await page.textContent('#verdict')).toContain('verdict: measured');
        await page.selectOption('#filter', 'failed');
        await page.waitForFunction(
          () => document.querySelectorAll('#samples-table tr.sample-row').length === 1,
        );
        await page.selectOption('#filter', 'errored');
        await page.waitForFunction(
          () => document.querySelectorAll('#samples-table tr.sample-row').length === 1,
        );
        await page.click('#samples-table tr.sample-row');
        await page.waitForSelector('#sample h3');
        expect(await page.textContent('#sample')).toContain('model exploded');
        await page.selectOption('#other', runB);
        await page.selectOption('#filter', 'changed');
        await page.waitForFunction(
          () => document.querySelectorAll('#samples-table tr.sample-row').length === 2,
        );
        const shot = join(dir, 'viewer.png');
        await page.screenshot({ path: shot, fullPage: true });
        expect(statSync(shot).size).toBeGreaterThan(5000);
      } finally {
        await browser.close();
      }
    },
  );
});
