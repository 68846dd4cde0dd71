// A loopback OpenAI-compatible completions server that misbehaves on cue, keyed by the prompt
// (not by arrival order, so concurrency cannot change which sample sees what):
//   "flaky429 …"  → 429 (Retry-After: 0) on the first two attempts, then an answer;
//   "flaky500 …"  → 500 on the first attempt, then an answer;
//   "always500 …" → 500 every time;
//   "hang …"      → never answers (the client's time-out must fire);
//   anything else → an answer at once.
// The answer is the text after the last "=>" in the prompt (so a test chooses right or wrong answers).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultServer {
  baseURL: string;
  /** Requests seen per prompt (attempts). */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

export async function startFaultServer(): Promise<FaultServer> {
  const attempts = new Map<string, number>();
  const hanging: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const request = JSON.parse(body || '{}') as { prompt?: string | string[] };
      const prompt = Array.isArray(request.prompt) ? request.prompt[0] : (request.prompt ?? '');
      const n = (attempts.get(prompt) ?? 0) + 1;
      attempts.set(prompt, n);
      const fail = (status: number, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(
          JSON.stringify({
            error: { message: `injected ${status}`, type: 'server_error', param: null, code: null },
          }),
        );
      };
      if (prompt.startsWith('flaky429') && n <= 2) return fail(429, { 'retry-after': '0' });
      if (prompt.startsWith('flaky500') && n <= 1) return fail(500);
      if (prompt.startsWith('always500')) return fail(500);
      if (prompt.startsWith('hang')) {
        hanging.push(res);
        return;
      }
      const text = prompt.includes('=>') ? prompt.slice(prompt.lastIndexOf('=>') + 2) : 'ok';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `cmpl-${n}`,
          object: 'text_completion',
          created: 0,
          model: 'faulty',
          choices: [{ index: 0, text, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    attempts,
    close: () =>
      new Promise<void>((done) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
