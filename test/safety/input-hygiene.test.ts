// One line and exit 2 for bad input (issue 12, findings 5, 7, 8, 9): invalid UTF-8, degenerate
// pairs, plain validation words, report paths, missing tensors, NaN weights, remote endpoints
// that are down or refuse, prompts longer than the context; and the top-level handler.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { reportError } from '../../src/cli/main.js';
import { safeName } from '../../src/lab/report.js';
import { checkpointFiles, loadCheckpoint } from '../../src/lm/checkpoint.js';
import { readSafetensors, writeSafetensors } from '../../src/lm/safetensors.js';
import { cli } from '../cli/helper.js';
import { saveFixture, tinyModel } from './fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'alignlab-hygiene-'));
const file = (name: string, content: string | Buffer) => {
  const path = join(root, name);
  writeFileSync(path, content);
  return path;
};
let policy: string;

beforeAll(async () => {
  const lm = await tinyModel();
  policy = saveFixture(lm, 'policy');
  lm.model.dispose();
});

describe('preference files', () => {
  it('invalid UTF-8 is named with its line and column, never replaced by U+FFFD', async () => {
    const good = JSON.stringify({ prompt: 'a', chosen: 'b', rejected: 'c' });
    const bad = Buffer.concat([
      Buffer.from(`${good}\n{"prompt": "x`),
      Buffer.from([0xff]),
      Buffer.from('", "chosen": "y", "rejected": "z"}\n'),
    ]);
    const r = await cli('prefs', 'import', file('bad-utf8.jsonl', bad));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad-utf8\.jsonl:2: invalid UTF-8 \(byte 0xff at column 14\)/); // after the 13 bytes of {"prompt": "x
  });

  it('chosen == rejected is refused with its line', async () => {
    const lines = [
      { prompt: 'a', chosen: 'b', rejected: 'c' },
      { prompt: 'a', chosen: 'same', rejected: 'same' },
    ].map((p) => JSON.stringify(p));
    const r = await cli('prefs', 'import', file('same.jsonl', lines.join('\n')));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/same\.jsonl:2: chosen and rejected are the same response/);
  });

  it('validation messages are plain words (no "must be Invalid input: expected string")', async () => {
    const record = {
      prompt: [{ role: 'user', content: 'hi' }],
      chosen: [{ role: 'assistant', content: ['not', 'text'] }],
      rejected: [{ role: 'assistant', content: 'no' }],
    };
    const r = await cli('prefs', 'import', file('nested.jsonl', JSON.stringify(record)));
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/Invalid input/);
    expect(r.err).toMatch(
      /field 'chosen\.0\.content' must be a string \(conversational format\), got a list/,
    );
  });
});

describe('reports', () => {
  it('an experiment name from the database cannot lead a report path out of reports/', () => {
    for (const name of ['../../x', '/etc/passwd', '..', 'a/../../b']) {
      const dir = resolve('reports', safeName(name));
      expect(dir.startsWith(`${resolve('reports')}/`)).toBe(true);
    }
  });
});

describe('checkpoints', () => {
  it('a tensor missing from the header is named (not "trailing bytes")', () => {
    const dir = saveFixtureCopy('missing');
    const path = join(dir, checkpointFiles.weights);
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as Record<
      string,
      { data_offsets?: number[] }
    >;
    // Drop the entry of the tensor stored last, leaving its bytes behind (a hand-edited header).
    const last = Object.entries(header)
      .filter(([k]) => k !== '__metadata__')
      .sort((a, b) => (b[1].data_offsets?.[1] ?? 0) - (a[1].data_offsets?.[1] ?? 0))[0][0];
    delete header[last];
    let json = JSON.stringify(header);
    json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
    writeFileSync(path, Buffer.concat([size, Buffer.from(json), bytes.subarray(8 + headerLength)]));
    expect(() => loadCheckpoint(dir)).toThrow(new RegExp(`tensor '${last.replace(/\./g, '\\.')}' missing`));
  });

  it('NaN or infinite weights are refused at load, naming the weight', () => {
    const dir = saveFixtureCopy('nan');
    const path = join(dir, checkpointFiles.weights);
    const { tensors } = readSafetensors(readFileSync(path), path);
    const named = new Map(
      [...tensors].map(([k, t]) => [k, { shape: t.shape, data: Float32Array.from(t.data as Float32Array) }]),
    );
    const victim = named.get('lm_head.weight');
    if (!victim) throw new Error('fixture has no lm_head.weight');
    victim.data[5] = Number.NaN;
    writeFileSync(path, writeSafetensors(named, { format: 'pt' }));
    expect(() => loadCheckpoint(dir)).toThrow(/weight 'lm_head\.weight' holds NaN at index 5/);
  });
});

/** A fresh copy of the policy fixture to damage. */
function saveFixtureCopy(name: string): string {
  const dir = join(root, name);
  cpSync(policy, dir, { recursive: true });
  return dir;
}

describe('remote endpoints', () => {
  it('lm sample --base-url at a closed port: one line naming the URL, exit 2', async () => {
    const probe = createNetServer();
    const port = await new Promise<number>((done) =>
      probe.listen(0, '127.0.0.1', () => done((probe.address() as { port: number }).port)),
    );
    await new Promise((done) => probe.close(done));
    const url = `http://127.0.0.1:${port}/v1`;
    const r = await cli('lm', 'sample', '--base-url', url, '--model', 'm', '--prompt', 'hi');
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`${url}/completions: cannot reach the endpoint`);
  }, 30_000);

  it('an endpoint answering 401 is one line with the status, exit 2', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'bad key', type: 'invalid_request_error' } }));
    });
    const port = await new Promise<number>((done) =>
      server.listen(0, '127.0.0.1', () => done((server.address() as { port: number }).port)),
    );
    try {
      const r = await cli(
        'lm',
        'sample',
        '--base-url',
        `http://127.0.0.1:${port}/v1`,
        '--model',
        'm',
        '--prompt',
        'hi',
      );
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/completions: the endpoint answered 401: bad key\n$/);
    } finally {
      server.close();
    }
  });
});

describe('trainers and the top-level handler', () => {
  it('dpo on a prompt longer than the context is one line naming the file line, exit 2', async () => {
    const long = '1'.repeat(60); // the fixture's context is 40 tokens
    const data = [
      { prompt: '1+1=', chosen: '2', rejected: '3' },
      { prompt: long, chosen: '2', rejected: '3' },
    ].map((p) => JSON.stringify(p));
    const r = await cli(
      'dpo',
      '--policy',
      policy,
      '--data',
      file('long.jsonl', data.join('\n')),
      '--out',
      join(root, 'dpo-long'),
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /long\.jsonl:2: the prompt is 61 tokens \(with <bos>\), leaving no room in the policy's context of 40/,
    );
  });

  it('an unexpected error is one line with a hint to rerun with --debug, which prints the stack', () => {
    const io = bufferIo();
    expect(reportError(new TypeError('x is undefined'), io, false)).toBe(1);
    expect(io.stderr()).toBe(
      'alignlab: unexpected error: TypeError: x is undefined (a bug? rerun with --debug for the stack trace)\n',
    );
    const debug = bufferIo();
    expect(reportError(new TypeError('x is undefined'), debug, true)).toBe(1);
    expect(debug.stderr()).toMatch(/TypeError: x is undefined\n\s+at /);
  });

  it('a failed system call on a path is one line and exit 2', () => {
    const io = bufferIo();
    const error = Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      path: '/data/out.jsonl',
      syscall: 'write',
    });
    expect(reportError(error, io, false)).toBe(2);
    expect(io.stderr()).toBe('alignlab: /data/out.jsonl: no space left on the device (write failed)\n');
  });
});
