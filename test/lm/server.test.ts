// The OpenAI-compatible backend against our own server: a real fastify server on loopback
// (127.0.0.1, port 0), spoken to over HTTP by the official `openai` SDK.
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalLanguageModel } from '../../src/lm/local-model.js';
import { OpenAIBackend } from '../../src/lm/openai-backend.js';
import { createLmServer } from '../../src/lm/server.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend } from '../../src/nn/index.js';

let lm: LocalLanguageModel;
let app: FastifyInstance;
let baseURL: string;

beforeAll(async () => {
  await initBackend();
  const tokenizer = CharTokenizer.train(['0123456789+-= :\nUserAssitn abcdefghijklmnopqrstuvwxyz']);
  const model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 40, layers: 1, heads: 2, width: 16 },
    { seed: 2 },
  );
  lm = new LocalLanguageModel('tiny', model, tokenizer);
  app = createLmServer(lm, { promptFor: (r) => `User: ${r}\nAssistant:` });
  baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
});
afterAll(async () => {
  await app.close();
  lm.model.dispose();
});

describe('OpenAIBackend against alignlab serve', () => {
  it('lists the model', async () => {
    const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['tiny']);
  });

  it('generates what the local model generates, for a batch of prompts in one request', async () => {
    const backend = new OpenAIBackend({ baseURL, model: 'tiny', maxRetries: 0 });
    const prompts = ['1+2=', '34+5=', 'abc'];
    const opts = { temperature: 0, maxTokens: 6 };
    expect(await backend.generate(prompts, opts)).toEqual(await lm.generate(prompts, opts));
  });

  it('scores given completions through echo with the local model’s log-probabilities', async () => {
    const backend = new OpenAIBackend({ baseURL, model: 'tiny', maxRetries: 0 });
    const remote = await backend.logprobs?.('12+3=', ['15 sure', '9']);
    const local = await lm.logprobs('12+3=', ['15 sure', '9']);
    expect(remote?.map((r) => r.tokens)).toEqual(local.map((r) => r.tokens));
    remote?.forEach((r, i) => {
      for (let k = 0; k < r.logprobs.length; k++) expect(r.logprobs[k]).toBeCloseTo(local[i].logprobs[k], 4);
      expect(r.total).toBeCloseTo(local[i].total, 3);
    });
  });

  it('reads model and base URL from the environment, and needs a model name', () => {
    expect(new OpenAIBackend({}, { OPENAI_BASE_URL: baseURL, ALIGNLAB_MODEL: 'tiny' }).id).toBe('tiny');
    expect(() => new OpenAIBackend({}, {})).toThrow(/no model named \(pass --model or set ALIGNLAB_MODEL\)/);
  });
});

describe('the server for a stock OpenAI client', () => {
  const client = () => new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });

  it('answers completions with n choices, logprobs with top alternatives, and usage', async () => {
    const r = await client().completions.create({
      model: 'tiny',
      prompt: '7+',
      max_tokens: 4,
      n: 2,
      logprobs: 2,
      temperature: 0,
    });
    expect(r.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(r.choices[0].text).toBe(r.choices[1].text); // greedy
    const lp = r.choices[0].logprobs;
    expect(lp?.tokens?.join('')).toBe(r.choices[0].text);
    expect(lp?.text_offset?.[0]).toBe(2); // offsets count from the prompt's start
    expect(Object.keys(lp?.top_logprobs?.[0] ?? {}).length).toBe(2);
    expect(r.usage?.prompt_tokens).toBe(2 * 3); // <bos> 7 + for each of n = 2
  });

  it('answers chat completions in the corpus prompt format, with per-token logprobs', async () => {
    const r = await client().chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 5,
      temperature: 0,
      logprobs: true,
      top_logprobs: 1,
    });
    const [expected] = await lm.generate(['User: hi\nAssistant:'], { temperature: 0, maxTokens: 5 });
    expect(r.choices[0].message.content).toBe(expected);
    expect(r.choices[0].logprobs?.content?.map((t) => t.token).join('')).toBe(expected);
  });

  it('rejects a malformed request with a 400 in OpenAI’s error shape', async () => {
    await expect(
      client().completions.create({ model: 'tiny', prompt: 'x', max_tokens: -3 } as never),
    ).rejects.toMatchObject({ status: 400, error: { type: 'invalid_request_error' } });
    const wrongType = await fetch(`${baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: ['x', 3] }),
    });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { param: string } }).error.param).toBe('prompt.1');
  });
});
