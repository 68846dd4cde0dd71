// `alignlab serve` as a user runs it (issue 12, findings 1, 5, 6): the compiled CLI on loopback,
// spoken to by the `openai` SDK with stream: true, stopped by SIGTERM; port and host errors.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt } from '../lab/dist-build.js';
import { neverStoppingModel, saveFixture, tinyModel } from './fixtures.js';

let tinyDir: string;
let foreverDir: string;

beforeAll(async () => {
  ensureBuilt();
  const tiny = await tinyModel();
  const forever = await neverStoppingModel();
  tinyDir = saveFixture(tiny, 'tiny');
  foreverDir = saveFixture(forever, 'forever');
  tiny.model.dispose();
  forever.model.dispose();
}, 300_000);

interface Served {
  child: ChildProcess;
  baseURL: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `alignlab serve` on 127.0.0.1, any free port, and waits for its banner. */
async function startServe(dir: string, args: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--model', dir, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const baseURL = await new Promise<string>((done, fail) => {
    child.stdout?.on('data', (d) => {
      stdout += String(d);
      const m = /at (http:\/\/\S+\/v1)/.exec(stdout);
      if (m) done(m[1]);
    });
    void exit.then((code) => fail(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { child, baseURL, stderr: () => stderr, exit };
}

/** Runs the CLI to completion: exit code and stderr. */
function runCli(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    child.on('exit', (code) => done({ code, stderr }));
  });
}

describe('alignlab serve', () => {
  let served: Served;
  beforeAll(async () => {
    served = await startServe(tinyDir);
  }, 60_000);
  afterAll(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
  });

  it('prints the address it really bound (127.0.0.1 and the chosen port)', () => {
    expect(served.baseURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(served.baseURL).not.toMatch(/:0\/v1$/);
  });

  it('streams completions and chat to the openai SDK (stream: true)', async () => {
    const client = new OpenAI({ baseURL: served.baseURL, apiKey: 'unused', maxRetries: 0 });
    const whole = await client.completions.create({
      model: 'tiny',
      prompt: '3+',
      max_tokens: 6,
      temperature: 0,
    });
    let text = '';
    for await (const c of await client.completions.create({
      model: 'tiny',
      prompt: '3+',
      max_tokens: 6,
      temperature: 0,
      stream: true,
    }))
      text += c.choices[0]?.text ?? '';
    expect(text).toBe(whole.choices[0].text);
    let chat = '';
    let finish: string | null = null;
    for await (const c of await client.chat.completions.create({
      model: 'tiny',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 6,
      stream: true,
    })) {
      chat += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(['stop', 'length']).toContain(finish);
    expect(chat.length).toBeLessThanOrEqual(6 * 4);
  });
});

describe('stopping and failing to start', () => {
  it('SIGTERM during a never-ending request drains and exits 0 (bounded by --drain-seconds)', async () => {
    const served = await startServe(foreverDir, ['--max-tokens-cap', '1000000000', '--drain-seconds', '0.5']);
    const hog = fetch(`${served.baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', max_tokens: 1e9 }),
    }).catch((e: Error) => e);
    // The hog is running once /v1/models still answers after it was sent.
    await new Promise((r) => setTimeout(r, 200));
    expect((await fetch(`${served.baseURL}/models`)).status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    await hog;
    expect(served.stderr()).toMatch(/SIGTERM: finishing requests in flight/);
  }, 30_000);

  it('a port in use is one line and exit 2', async () => {
    const blocker: Server = createServer();
    const port = await new Promise<number>((done) =>
      blocker.listen(0, '127.0.0.1', () => done((blocker.address() as { port: number }).port)),
    );
    try {
      const r = await runCli(['serve', '--model', tinyDir, '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `alignlab: --port: port ${port} on 127.0.0.1 is in use (choose another, or 0 for any free one)`,
      ]);
    } finally {
      blocker.close();
    }
  }, 30_000);

  it('an address not of this machine is one line and exit 2', async () => {
    // 10.255.255.1 is a private address no test machine has: bind fails at once, nothing is sent.
    const r = await runCli(['serve', '--model', tinyDir, '--host', '10.255.255.1', '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^alignlab: --host: cannot listen on '10\.255\.255\.1'/);
  }, 30_000);
});
