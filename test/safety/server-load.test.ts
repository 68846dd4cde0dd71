// A bounded load test of the server (issue 12, deliverable 5): 50 clients x 20 requests on
// loopback, half streamed, completions and chat; every response must be well-formed, no tensor
// may leak, and the heap may not grow with the number of requests served.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalLanguageModel } from '../../src/lm/local-model.js';
import { createLmServer, type LmServer } from '../../src/lm/server.js';
import { tinyModel } from './fixtures.js';

const CLIENTS = 50;
const REQUESTS = 20;
let lm: LocalLanguageModel;
let app: LmServer;
let url: string;

beforeAll(async () => {
  lm = await tinyModel();
  // A queue as long as the crowd: this test checks answers, the 429 test checks refusals.
  app = createLmServer(lm, { queueLimit: CLIENTS, defaultStop: ['\n'] });
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
});
afterAll(async () => {
  await app.close();
  lm.model.dispose();
});

/** One request; returns the generated text after checking the response's shape. */
async function request(client: number, k: number): Promise<string> {
  const chat = k % 4 >= 2;
  const stream = k % 2 === 1;
  const body = chat
    ? { model: 'tiny', messages: [{ role: 'user', content: `${client}+${k}=` }], max_tokens: 4, stream }
    : { model: 'tiny', prompt: `${client}+${k}=`, max_tokens: 4, stream, seed: client };
  const r = await fetch(`${url}/${chat ? 'chat/completions' : 'completions'}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(200);
  if (!stream) {
    const json = (await r.json()) as {
      object: string;
      choices: { text?: string; message?: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(json.object).toBe(chat ? 'chat.completion' : 'text_completion');
    expect(json.choices).toHaveLength(1);
    expect(['stop', 'length']).toContain(json.choices[0].finish_reason);
    expect(json.usage.completion_tokens).toBeLessThanOrEqual(4);
    return chat ? (json.choices[0].message?.content ?? '') : (json.choices[0].text ?? '');
  }
  expect(r.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events = (await r.text()).split('\n\n').filter((e) => e !== '');
  expect(events[events.length - 1]).toBe('data: [DONE]');
  let text = '';
  let finish: string | null = null;
  for (const e of events.slice(0, -1)) {
    expect(e.startsWith('data: ')).toBe(true);
    const chunk = JSON.parse(e.slice(6)) as {
      object: string;
      choices: { text?: string; delta?: { content?: string }; finish_reason: string | null }[];
    };
    expect(chunk.object).toBe(chat ? 'chat.completion.chunk' : 'text_completion');
    text += chat ? (chunk.choices[0].delta?.content ?? '') : (chunk.choices[0].text ?? '');
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  expect(['stop', 'length']).toContain(finish);
  return text;
}

describe('50 clients x 20 requests', () => {
  it('every response is well-formed; no tensor leaks; the heap stays bounded', async () => {
    // Warm-up: the backend makes a few tensors once (constants, kernels); count after them.
    for (let k = 0; k < 4; k++) await request(0, k);
    const tensorsBefore = tf.memory().numTensors;
    const heap: number[] = [];
    const texts: string[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let k = 0; k < REQUESTS; k++) {
          texts.push(await request(client, k));
          if (client === 0) heap.push(process.memoryUsage().heapUsed);
        }
      }),
    );
    expect(texts).toHaveLength(CLIENTS * REQUESTS);
    expect(texts.every((t) => !t.includes('\n'))).toBe(true); // the stop string is never sent
    // The attention layer caches one causal mask per sequence length (at most the context, 40);
    // anything beyond that would be a per-request leak.
    expect(tf.memory().numTensors - tensorsBefore).toBeLessThanOrEqual(lm.contextLength);
    expect(app.load()).toMatchObject({ active: 0, waiting: 0 });
    // Bounded memory: the heap after all 1000 requests is within 64 MB of the heap after the
    // first few (a per-request leak of 64 KB would exceed it; GC noise is a few MB).
    expect(heap[heap.length - 1] - heap[1]).toBeLessThan(64 * 2 ** 20);
  }, 180_000);
});
