import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

describe('alignlab --version', () => {
  it("prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const io = bufferIo();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.stdout().trim()).toBe(version);
  });
});
