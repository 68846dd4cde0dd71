/**
 * An OpenAI-compatible HTTP server for a local model (fastify): `GET /v1/models`,
 * `POST /v1/completions` (with `logprobs`, `echo`, `stop`, `n`, `seed`, and `top_k` as vLLM
 * accepts it) and `POST /v1/chat/completions` (the last user message, in the model corpus's
 * prompt format; `logprobs` + `top_logprobs`), both with `stream: true` (server-sent events
 * ending in `data: [DONE]`). Errors use OpenAI's shape and status.
 *
 * Safe by default: generation yields to the event loop after every token step, so `/v1/models`
 * and `/health` answer while a long request runs; `max_tokens` is capped (default: the context
 * length) and so is prompts x n per request; at most `concurrency` requests generate at once and
 * `queueLimit` more wait, beyond which a request gets 429 with `Retry-After`; a client that
 * disconnects cancels its work; `drain()` finishes in-flight work for a grace period, then
 * cancels it.
 */
import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { isUserInputError } from '../core/errors.js';
import { deepest, plainIssue } from '../core/zod-words.js';
import type { LocalLanguageModel, ScoredCompletion } from './local-model.js';
import { completeStepwise, nextTurn } from './stepwise.js';
import type { Completion } from './types.js';

export interface ServerOptions {
  /** Formats a chat request as a prompt (default: the text itself). */
  promptFor?: (request: string) => string;
  /** Stop strings added to every request (e.g. the corpus's line end). */
  defaultStop?: readonly string[];
  /** Require `Authorization: Bearer <apiKey>` on every /v1 request. */
  apiKey?: string;
  /** Other model names answered by this model (`*`: any name). Unknown names are a 404. */
  modelAliases?: readonly string[];
  /** Largest `max_tokens` a request may ask for (default: the model's context length). */
  maxTokensCap?: number;
  /** Largest prompts x n in one request (default 64). */
  maxChoices?: number;
  /** Requests generating at once (default 4); they take turns token by token. */
  concurrency?: number;
  /** Requests waiting for a turn (default 32); beyond it, 429 + Retry-After. */
  queueLimit?: number;
  /** Largest request body in bytes (default 1 MiB); beyond it, 413. */
  bodyLimit?: number;
}

/** What the server is doing, for tests and the drain. */
export interface ServerLoad {
  active: number;
  waiting: number;
  /** Requests whose work was cancelled (client gone, or drained). */
  cancelled: number;
}

export interface LmServer extends FastifyInstance {
  load(): ServerLoad;
  /** Stops accepting requests, lets in-flight ones finish for `graceMs`, cancels the rest, closes. */
  drain(graceMs: number): Promise<void>;
}

const stopSchema = z
  .union([z.string(), z.array(z.string()).max(4)])
  .nullish()
  .transform((s) => (s == null ? [] : typeof s === 'string' ? [s] : s));

const sampling = {
  model: z.string().optional(),
  temperature: z.number().min(0).max(2).nullish(),
  top_k: z.number().int().min(-1).nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  stop: stopSchema,
  seed: z.number().int().nullish(),
  stream: z.boolean().nullish(),
};

const CompletionRequest = z.object({
  ...sampling,
  prompt: z.union([z.string(), z.array(z.string()).min(1)]),
  max_tokens: z.number().int().min(0).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
  echo: z.boolean().nullish(),
});

const ChatRequest = z.object({
  ...sampling,
  messages: z.array(z.object({ role: z.string(), content: z.string() })).min(1),
  max_tokens: z.number().int().min(0).nullish(),
  max_completion_tokens: z.number().int().min(0).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
});

/** An error with an HTTP status and OpenAI's `type`/`code`/`param`. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = deepest(result.error.issues[0]);
    const where = issue.path.join('.') || null;
    throw new ApiError(400, plainIssue(issue, body), 'invalid_request_error', null, where);
  }
  return result.data;
}

const errorBody = (e: ApiError) => ({
  error: { message: e.message, type: e.type, param: e.param, code: e.code },
});

const now = () => Math.floor(Date.now() / 1000);
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;

/** At most `concurrency` holders; at most `limit` waiting; the rest are turned away. */
class Slots {
  active = 0;
  private readonly waiting: { grant: () => void; fail: (e: unknown) => void }[] = [];
  constructor(
    private readonly concurrency: number,
    private readonly limit: number,
  ) {}
  get queued(): number {
    return this.waiting.length;
  }
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.limit) {
        throw new ApiError(
          429,
          `the server is busy (${this.active} requests running, ${this.waiting.length} waiting); retry shortly`,
          'rate_limit_exceeded',
          'rate_limit_exceeded',
        );
      }
      await new Promise<void>((grant, fail) => {
        const entry = { grant, fail };
        this.waiting.push(entry);
        signal.addEventListener(
          'abort',
          () => {
            const at = this.waiting.indexOf(entry);
            if (at >= 0) this.waiting.splice(at, 1);
            fail(signal.reason);
          },
          { once: true },
        );
      });
    }
    this.active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.grant();
    };
  }
}

const isLoopbackHost = (host: string) =>
  host === 'localhost' || host === '::1' || host.startsWith('127.') || host === '[::1]';

/** True when `host` is a loopback address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  return isLoopbackHost(host);
}

export function createLmServer(model: LocalLanguageModel, options: ServerOptions = {}): LmServer {
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;
  const app = Fastify({ logger: false, bodyLimit }) as unknown as LmServer;
  const promptFor = options.promptFor ?? ((r: string) => r);
  const defaultStop = options.defaultStop ?? [];
  const maxTokensCap = options.maxTokensCap ?? model.contextLength;
  const maxChoices = options.maxChoices ?? 64;
  const slots = new Slots(options.concurrency ?? 4, options.queueLimit ?? 32);
  const names = new Set([model.id, ...(options.modelAliases ?? [])]);
  const inFlight = new Set<AbortController>();
  let cancelled = 0;
  let draining = false;

  app.load = () => ({ active: slots.active, waiting: slots.queued, cancelled });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send(errorBody(error));
    const status = (error as { statusCode?: number }).statusCode;
    if (isUserInputError(error)) return reply.status(400).send(errorBody(new ApiError(400, error.message)));
    if (status !== undefined && status >= 400 && status < 500) {
      // fastify's own: 413 body too large, 415 no or unknown content type, 400 bad JSON.
      return reply.status(status).send(errorBody(new ApiError(status, (error as Error).message)));
    }
    return reply
      .status(500)
      .send(errorBody(new ApiError(500, (error as Error).message ?? 'internal error', 'server_error')));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .send(
        errorBody(
          new ApiError(
            404,
            `no route ${request.method} ${request.url.split('?')[0]}`,
            'invalid_request_error',
          ),
        ),
      );
  });

  app.addHook('onRequest', async (request, reply) => {
    if (draining) {
      reply.header('connection', 'close');
      throw new ApiError(503, 'the server is shutting down', 'server_error');
    }
    if (options.apiKey === undefined || !request.url.startsWith('/v1')) return;
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(options.apiKey);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new ApiError(
        401,
        given ? 'incorrect API key provided' : 'no API key provided (send Authorization: Bearer <key>)',
        'invalid_request_error',
        'invalid_api_key',
      );
    }
  });

  const modelEntry = (id: string) => ({ id, object: 'model', created: now(), owned_by: 'alignlab' });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/v1/models', async () => ({ object: 'list', data: [modelEntry(model.id)] }));
  app.get('/v1/models/:id', async (request) => {
    const id = (request.params as { id: string }).id;
    checkModel(id);
    return modelEntry(id);
  });

  function checkModel(name: string | undefined): void {
    if (name === undefined || names.has(name) || names.has('*')) return;
    throw new ApiError(
      404,
      `The model '${name}' does not exist (this server has '${model.id}'; alias more names with --model-alias)`,
      'invalid_request_error',
      'model_not_found',
      'model',
    );
  }

  function checkBudget(prompts: number, n: number, maxTokens: number): void {
    if (prompts * n > maxChoices) {
      throw new ApiError(
        400,
        `${prompts} prompts x n=${n} is ${prompts * n} completions; this server allows at most ${maxChoices} per request`,
        'invalid_request_error',
        null,
        'prompt',
      );
    }
    if (maxTokens > maxTokensCap) {
      throw new ApiError(
        400,
        `max_tokens ${maxTokens} is more than this server allows (${maxTokensCap})`,
        'invalid_request_error',
        null,
        'max_tokens',
      );
    }
  }

  /**
   * Runs `work` in a slot, with a signal that aborts when the client goes away or the server
   * drains. The slot is taken before anything is sent, so a full queue is a plain 429.
   */
  async function withSlot<T>(reply: FastifyReply, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const raw: ServerResponse = reply.raw;
    const onClose = () => {
      if (!raw.writableFinished) controller.abort(new Error('client disconnected'));
    };
    raw.on('close', onClose);
    inFlight.add(controller);
    let release: (() => void) | undefined;
    try {
      try {
        release = await slots.acquire(controller.signal);
      } catch (error) {
        if (error instanceof ApiError) reply.header('retry-after', '1');
        throw error;
      }
      return await work(controller.signal);
    } finally {
      if (controller.signal.aborted) cancelled++;
      release?.();
      inFlight.delete(controller);
      raw.off('close', onClose);
    }
  }

  type Sampling = z.infer<typeof CompletionRequest> | z.infer<typeof ChatRequest>;

  const generationOptions = (req: Sampling, maxTokens: number, signal: AbortSignal) => ({
    maxTokens,
    temperature: req.temperature ?? 1,
    topK: req.top_k != null && req.top_k > 0 ? req.top_k : 0,
    stop: [...defaultStop, ...req.stop],
    seed: req.seed ?? undefined,
    signal,
  });

  /** Runs one request's prompts (each n times) and scores the results when logprobs are asked for. */
  const run = async (
    prompts: string[],
    req: Sampling,
    maxTokens: number,
    top: number | undefined,
    signal: AbortSignal,
  ) => {
    const n = req.n ?? 1;
    const expanded = prompts.flatMap((p) => Array<string>(n).fill(p));
    const completions = await completeStepwise(model, expanded, generationOptions(req, maxTokens, signal));
    const scores: (ScoredCompletion | undefined)[] = [];
    for (let i = 0; i < expanded.length; i++) {
      signal.throwIfAborted();
      scores.push(
        top === undefined ? undefined : (await model.score(expanded[i], [completions[i].text], top))[0],
      );
      if (top !== undefined) await nextTurn();
    }
    return { expanded, completions, scores, usage: usage(prompts, n, completions) };
  };

  const usage = (prompts: string[], n: number, completions: Completion[]) => {
    const promptTokens = prompts.reduce((t, p) => t + model.encodePrompt(p).length * n, 0);
    const completionTokens = completions.reduce((t, c) => t + c.tokenCount, 0);
    return {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
  };

  /**
   * Streams generation as server-sent events: `chunk(row, delta, finish)` makes each event's
   * JSON. Text is held back by the longest stop string's length, so a stop string that is
   * still forming is never sent.
   */
  async function stream(
    reply: FastifyReply,
    prompts: string[],
    req: Sampling,
    maxTokens: number,
    first: ((row: number) => unknown) | undefined,
    chunk: (row: number, delta: string, finish: string | null) => unknown,
  ): Promise<void> {
    await withSlot(reply, async (signal) => {
      const n = req.n ?? 1;
      const expanded = prompts.flatMap((p) => Array<string>(n).fill(p));
      const opts = generationOptions(req, maxTokens, signal);
      const holdBack = Math.max(0, ...opts.stop.map((s) => s.length - 1));
      const sent = expanded.map(() => 0);
      const raw = reply.raw;
      reply.hijack();
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      const send = (data: unknown) => {
        if (!raw.destroyed) raw.write(`data: ${JSON.stringify(data)}\n\n`);
      };
      if (first) for (let i = 0; i < expanded.length; i++) send(first(i));
      try {
        await completeStepwise(model, expanded, {
          ...opts,
          onText: (row, text, done) => {
            const upTo = done ? text.length : Math.max(sent[row], text.length - holdBack);
            if (upTo > sent[row] || done) {
              send(chunk(row, text.slice(sent[row], upTo), done ? (done.finishReason ?? 'stop') : null));
              sent[row] = upTo;
            }
          },
        });
        if (!raw.destroyed) raw.end('data: [DONE]\n\n');
      } catch (error) {
        if (!signal.aborted) {
          send(errorBody(new ApiError(500, (error as Error).message, 'server_error')));
        }
        raw.end();
        if (!signal.aborted) throw error;
      }
    }).catch((error) => {
      // After hijack, nothing more can be sent; before it, fastify sends the error.
      if (!reply.sent && !reply.raw.headersSent) throw error;
    });
  }

  app.post('/v1/completions', async (request, reply) => {
    const req = parse(CompletionRequest, request.body);
    checkModel(req.model);
    const prompts = typeof req.prompt === 'string' ? [req.prompt] : req.prompt;
    const maxTokens = req.max_tokens ?? 16;
    checkBudget(prompts.length, req.n ?? 1, maxTokens);
    const id = nextId('cmpl');
    const created = now();
    if (req.stream) {
      if (req.logprobs != null || req.echo)
        throw new ApiError(
          400,
          'logprobs and echo are not available with stream: true',
          undefined,
          null,
          'stream',
        );
      return stream(reply, prompts, req, maxTokens, undefined, (row, delta, finish) => ({
        id,
        object: 'text_completion',
        created,
        model: model.id,
        choices: [{ text: delta, index: row, logprobs: null, finish_reason: finish }],
      }));
    }
    const { expanded, completions, scores, usage } = await withSlot(reply, (signal) =>
      run(prompts, req, maxTokens, req.logprobs ?? undefined, signal),
    );
    const choices = [];
    for (let i = 0; i < completions.length; i++) {
      const prompt = expanded[i];
      const text = req.echo ? prompt + completions[i].text : completions[i].text;
      let logprobs = null;
      if (req.logprobs != null) {
        // With echo, every token of prompt + completion is scored after <bos>.
        const scored = req.echo
          ? (await model.score('', [text], req.logprobs))[0]
          : (scores[i] as ScoredCompletion);
        let offset = req.echo ? 0 : prompt.length;
        logprobs = {
          tokens: scored.tokens,
          token_logprobs: [...scored.logprobs],
          top_logprobs: scored.top.map((alts) => Object.fromEntries(alts.map((a) => [a.token, a.logprob]))),
          text_offset: scored.tokens.map((t) => {
            const at = offset;
            offset += t.length;
            return at;
          }),
        };
      }
      choices.push({ text, index: i, logprobs, finish_reason: completions[i].finishReason });
    }
    return { id, object: 'text_completion', created, model: model.id, choices, usage };
  });

  app.post('/v1/chat/completions', async (request, reply) => {
    const req = parse(ChatRequest, request.body);
    checkModel(req.model);
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
    if (!lastUser)
      throw new ApiError(
        400,
        'messages: needs at least one message with role "user"',
        undefined,
        null,
        'messages',
      );
    const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? 32;
    checkBudget(1, req.n ?? 1, maxTokens);
    const id = nextId('chatcmpl');
    const created = now();
    const prompt = promptFor(lastUser.content);
    if (req.stream) {
      if (req.logprobs)
        throw new ApiError(400, 'logprobs are not available with stream: true', undefined, null, 'stream');
      const event = (row: number, delta: Record<string, string>, finish: string | null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model: model.id,
        choices: [{ index: row, delta, logprobs: null, finish_reason: finish }],
      });
      return stream(
        reply,
        [prompt],
        req,
        maxTokens,
        (row) => event(row, { role: 'assistant', content: '' }, null),
        (row, delta, finish) => event(row, delta === '' ? {} : { content: delta }, finish),
      );
    }
    const top = req.logprobs ? (req.top_logprobs ?? 0) : undefined;
    const { completions, scores, usage } = await withSlot(reply, (signal) =>
      run([prompt], req, maxTokens, top, signal),
    );
    const choices = completions.map((c, i) => {
      const scored = scores[i];
      const entry = (token: string, logprob: number) => ({
        token,
        logprob,
        bytes: [...Buffer.from(token, 'utf8')],
      });
      return {
        index: i,
        message: { role: 'assistant', content: c.text, refusal: null },
        logprobs: scored
          ? {
              content: scored.tokens.map((t, k) => ({
                ...entry(t, scored.logprobs[k]),
                top_logprobs: (scored.top[k] ?? []).map((a) => entry(a.token, a.logprob)),
              })),
            }
          : null,
        finish_reason: c.finishReason,
      };
    });
    return { id, object: 'chat.completion', created, model: model.id, choices, usage };
  });

  // While draining, every response asks the client to close its connection, so close() need not wait.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });

  app.drain = async (graceMs: number) => {
    draining = true;
    const settle = async (ms: number) => {
      const deadline = Date.now() + ms;
      while (inFlight.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    };
    await settle(graceMs);
    for (const c of inFlight) c.abort(new ApiError(503, 'the server is shutting down', 'server_error'));
    await settle(1000);
    // Connections still open after a second (a client that never reads) are cut.
    const cut = setTimeout(() => app.server.closeAllConnections(), 1000);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
  };

  return app;
}
