/**
 * An OpenAI-compatible HTTP server for a local model (fastify): `GET /v1/models`,
 * `POST /v1/completions` (with `logprobs`, `echo`, `stop`, `n`, `seed`, and `top_k` as vLLM
 * accepts it) and `POST /v1/chat/completions` (the last user message, in the model corpus's
 * prompt format; `logprobs` + `top_logprobs`). No streaming. Errors use OpenAI's shape.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isUserInputError } from '../core/errors.js';
import type { LocalLanguageModel, ScoredCompletion } from './local-model.js';

export interface ServerOptions {
  /** Formats a chat request as a prompt (default: the text itself). */
  promptFor?: (request: string) => string;
  /** Stop strings added to every request (e.g. the corpus's line end). */
  defaultStop?: readonly string[];
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
  stream: z
    .boolean()
    .nullish()
    .refine((s) => !s, 'streaming is not supported; send stream: false'),
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

class BadRequest extends Error {}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BadRequest(`${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  return result.data;
}

const now = () => Math.floor(Date.now() / 1000);
let counter = 0;
const nextId = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;

export function createLmServer(model: LocalLanguageModel, options: ServerOptions = {}): FastifyInstance {
  const app = Fastify({ logger: false });
  const promptFor = options.promptFor ?? ((r: string) => r);
  const defaultStop = options.defaultStop ?? [];

  app.setErrorHandler((error, _request, reply) => {
    const known =
      error instanceof BadRequest ||
      isUserInputError(error) ||
      (error as { statusCode?: number }).statusCode === 400;
    reply.status(known ? 400 : 500).send({
      error: {
        message: (error as Error).message,
        type: known ? 'invalid_request_error' : 'server_error',
        param: null,
        code: null,
      },
    });
  });

  app.get('/v1/models', async () => ({
    object: 'list',
    data: [{ id: model.id, object: 'model', created: now(), owned_by: 'alignlab' }],
  }));

  /** Runs one request's prompts (each n times) and scores the results when logprobs are asked for. */
  const run = async (
    prompts: string[],
    req: z.infer<typeof CompletionRequest> | z.infer<typeof ChatRequest>,
    maxTokens: number,
    top: number | undefined,
  ) => {
    const n = req.n ?? 1;
    const expanded = prompts.flatMap((p) => Array<string>(n).fill(p));
    const completions = await model.complete(expanded, {
      maxTokens,
      temperature: req.temperature ?? 1,
      topK: req.top_k != null && req.top_k > 0 ? req.top_k : 0,
      stop: [...defaultStop, ...req.stop],
      seed: req.seed ?? undefined,
    });
    const scores: (ScoredCompletion | undefined)[] = [];
    for (let i = 0; i < expanded.length; i++) {
      scores.push(
        top === undefined ? undefined : (await model.score(expanded[i], [completions[i].text], top))[0],
      );
    }
    const promptTokens = prompts.reduce((t, p) => t + model.encodePrompt(p).length * n, 0);
    const completionTokens = completions.reduce((t, c) => t + c.tokenCount, 0);
    return {
      expanded,
      completions,
      scores,
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    };
  };

  app.post('/v1/completions', async (request) => {
    const req = parse(CompletionRequest, request.body);
    const prompts = typeof req.prompt === 'string' ? [req.prompt] : req.prompt;
    const { expanded, completions, scores, usage } = await run(
      prompts,
      req,
      req.max_tokens ?? 16,
      req.logprobs ?? undefined,
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
    return { id: nextId('cmpl'), object: 'text_completion', created: now(), model: model.id, choices, usage };
  });

  app.post('/v1/chat/completions', async (request) => {
    const req = parse(ChatRequest, request.body);
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
    if (!lastUser) throw new BadRequest('messages: needs at least one message with role "user"');
    const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? 32;
    const top = req.logprobs ? (req.top_logprobs ?? 0) : undefined;
    const { completions, scores, usage } = await run([promptFor(lastUser.content)], req, maxTokens, top);
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
    return {
      id: nextId('chatcmpl'),
      object: 'chat.completion',
      created: now(),
      model: model.id,
      choices,
      usage,
    };
  });

  return app;
}
