/**
 * What sits between the harness and a model: a concurrency limit per provider, retries with
 * exponential back-off on transient failures (429, 5xx, time-outs, dropped connections), and a
 * request cache on disk keyed by model + request. Errors that retrying cannot fix (400, 401,
 * 404) fail at once. API keys are never part of a key, a log line or an error message.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EvalModel, ModelRequest, ModelResponse } from './types.js';

/** An error from a model call, with whether retrying may help. */
export class ModelCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    /** Seconds the server asked us to wait (Retry-After). */
    readonly retryAfter?: number,
    /** Calls made before giving up (set by the transport). */
    readonly attempts = 1,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

/** A counting semaphore: at most `limit` holders at once, the rest wait in order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((go) => this.waiting.push(go));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface RetryPolicy {
  /** Retries after the first try (default 5). */
  retries: number;
  /** First back-off in ms (default 500); doubles each retry, capped at `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A call that takes longer is abandoned and counts as a transient failure (default 60 s). */
  timeoutMs: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  retries: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  timeoutMs: 60_000,
};

/** The wait before retry k (0-based): base·2^k, capped, at least what Retry-After asked. */
export function backoffDelay(policy: RetryPolicy, retry: number, retryAfter?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.max(exponential, Math.min(policy.maxDelayMs, (retryAfter ?? 0) * 1000));
}

export interface CacheOptions {
  dir: string;
  /** Entries older than this are ignored and rewritten (seconds; default 7 days). */
  ttlSeconds: number;
}

export interface TransportOptions {
  /** Concurrent calls per provider (default 10). */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Absent: no cache. */
  cache?: CacheOptions;
  /** Called before each retry (for progress lines and tests). */
  onRetry?: (info: { model: string; attempt: number; error: string; delayMs: number }) => void;
  /** Waits (tests pass a fake clock-free sleep). */
  sleep?: (ms: number) => Promise<void>;
}

const limiters = new Map<string, Semaphore>();

/** The cache key of a request to a model: sha256 over the model's fingerprint and the request. */
export function cacheKey(model: EvalModel, request: ModelRequest): string {
  const body = JSON.stringify({
    model: model.id,
    fingerprint: model.fingerprint,
    request: canonical(request),
  });
  return createHash('sha256').update(body).digest('hex');
}

function canonical(request: ModelRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(request).sort()) {
    const value = (request as unknown as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function cachePath(cache: CacheOptions, key: string): string {
  return join(cache.dir, key.slice(0, 2), `${key}.json`);
}

function readCache(cache: CacheOptions, key: string, now: number): ModelResponse | undefined {
  try {
    const entry = JSON.parse(readFileSync(cachePath(cache, key), 'utf8')) as {
      at: number;
      text: string;
      tokens?: number;
    };
    if (typeof entry.text !== 'string' || now - entry.at > cache.ttlSeconds * 1000) return undefined;
    return { text: entry.text, tokens: entry.tokens, cached: true, attempts: 0 };
  } catch {
    return undefined;
  }
}

function writeCache(cache: CacheOptions, key: string, response: ModelResponse, now: number): void {
  const path = cachePath(cache, key);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, JSON.stringify({ at: now, text: response.text, tokens: response.tokens }));
  try {
    renameSync(tmp, path);
  } catch {
    rmSync(tmp, { force: true });
  }
}

const realSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Rejects with a retryable time-out when `work` has not settled within `ms`. */
async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, ms: number): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ModelCallError(`timed out after ${ms} ms`, true));
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A model whose `call` takes an abort signal (remote backends stop the HTTP request on it). */
export interface AbortableModel extends EvalModel {
  callWithSignal?(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
}

/** Wraps a model with its provider's concurrency limit, retries with back-off, time-outs and the cache. */
export function withTransport(model: AbortableModel, options: TransportOptions = {}): EvalModel {
  const policy = { ...defaultRetryPolicy, ...options.retry };
  const sleep = options.sleep ?? realSleep;
  const limitKey = `${model.provider}#${options.concurrency ?? 10}`;
  let limiter = limiters.get(limitKey);
  if (!limiter) {
    limiter = new Semaphore(options.concurrency ?? 10);
    limiters.set(limitKey, limiter);
  }
  const gate = limiter;
  const once = (request: ModelRequest) =>
    withTimeout(
      (signal) => (model.callWithSignal ? model.callWithSignal(request, signal) : model.call(request)),
      policy.timeoutMs,
    );
  const score = model.logprob?.bind(model);
  return {
    id: model.id,
    provider: model.provider,
    fingerprint: model.fingerprint,
    // Scoring shares the provider's limit and time-out; it is not cached or retried (an error is the sample's).
    ...(score
      ? {
          logprob: (prompt: string, completion: string) =>
            gate.run(() => withTimeout(() => score(prompt, completion), policy.timeoutMs)),
        }
      : {}),
    async call(request) {
      const key = options.cache ? cacheKey(model, request) : '';
      if (options.cache) {
        const hit = readCache(options.cache, key, Date.now());
        if (hit) return hit;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          const response = await gate.run(() => once(request));
          const out = { ...response, attempts: attempt, cached: false };
          if (options.cache) writeCache(options.cache, key, out, Date.now());
          return out;
        } catch (error) {
          const failure = asCallError(error);
          if (!failure.retryable || attempt > policy.retries) {
            throw new ModelCallError(
              attempt > 1 ? `${failure.message} (after ${attempt} attempts)` : failure.message,
              false,
              failure.status,
              undefined,
              attempt,
            );
          }
          const delayMs = backoffDelay(policy, attempt - 1, failure.retryAfter);
          options.onRetry?.({ model: model.id, attempt, error: failure.message, delayMs });
          await sleep(delayMs);
        }
      }
    },
  };
}

/** Any thrown value as a ModelCallError: unknown errors are not retried. */
function asCallError(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  return new ModelCallError(error instanceof Error ? error.message : String(error), false);
}
