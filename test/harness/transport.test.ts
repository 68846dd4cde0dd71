// The transport alone, on a stub model: back-off schedule, the concurrency limit, cache expiry.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backoffDelay,
  defaultRetryPolicy,
  ModelCallError,
  withTransport,
} from '../../src/harness/transport.js';
import type { EvalModel, ModelRequest } from '../../src/harness/types.js';

const dir = mkdtempSync(join(tmpdir(), 'alignlab-transport-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const request: ModelRequest = { prompt: 'hi', maxTokens: 4, temperature: 0 };

function stub(provider: string, behave: () => Promise<string>): EvalModel & { calls: number } {
  const model = {
    id: 'stub',
    provider,
    fingerprint: 'stub',
    calls: 0,
    async call() {
      model.calls++;
      return { text: await behave(), attempts: 1 };
    },
  };
  return model;
}

describe('transport', () => {
  it('backs off exponentially from the base delay, capped, and at least Retry-After', () => {
    const p = { ...defaultRetryPolicy, baseDelayMs: 500, maxDelayMs: 30_000 };
    expect([0, 1, 2, 3, 10].map((k) => backoffDelay(p, k))).toEqual([500, 1000, 2000, 4000, 30_000]);
    expect(backoffDelay(p, 0, 7)).toBe(7000);
  });

  it('keeps at most `concurrency` calls of one provider in flight', async () => {
    let active = 0;
    let peak = 0;
    const model = stub('limited', async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return 'ok';
    });
    const wrapped = withTransport(model, { concurrency: 3 });
    await Promise.all(Array.from({ length: 12 }, () => wrapped.call(request)));
    expect(model.calls).toBe(12);
    expect(peak).toBe(3);
  });

  it('retries retryable errors with the sleeps the policy gives, and not others', async () => {
    const sleeps: number[] = [];
    let n = 0;
    const flaky = stub('flaky', async () => {
      if (++n <= 2) throw new ModelCallError('HTTP 503', true, 503);
      return 'ok';
    });
    const wrapped = withTransport(flaky, {
      retry: { retries: 3, baseDelayMs: 10 },
      sleep: async (ms) => void sleeps.push(ms),
    });
    expect(await wrapped.call(request)).toMatchObject({ text: 'ok', attempts: 3 });
    expect(sleeps).toEqual([10, 20]);
    const denied = stub('denied', async () => {
      throw new ModelCallError('HTTP 401', false, 401);
    });
    await expect(withTransport(denied, { retry: { retries: 3 } }).call(request)).rejects.toThrow('HTTP 401');
    expect(denied.calls).toBe(1);
  });

  it('serves from the cache until the entry expires', async () => {
    const model = stub('cached', async () => 'fresh');
    const cached = withTransport(model, { cache: { dir, ttlSeconds: 3600 } });
    await cached.call(request);
    expect(await cached.call(request)).toMatchObject({ text: 'fresh', cached: true, attempts: 0 });
    expect(model.calls).toBe(1);
    const expired = withTransport(model, { cache: { dir, ttlSeconds: 0 } });
    await new Promise((r) => setTimeout(r, 5));
    expect(await expired.call(request)).toMatchObject({ cached: false });
    expect(model.calls).toBe(2);
  });
});
