import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/core/errors.js';
import {
  allowedKeys,
  configHash,
  deepMerge,
  describeConfig,
  mergeConfigSources,
  parseOverride,
  readConfigFile,
  resolveConfig,
  setPath,
} from '../../src/lab/config.js';
import { counter, tempDir } from './fixtures.js';

function messageOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as Error).message;
  }
  throw new Error('expected a UserInputError');
}

describe('config overrides', () => {
  it('parses values as JSON when they are JSON, as text otherwise', () => {
    expect(parseOverride('steps=12')).toEqual({ key: 'steps', value: 12 });
    expect(parseOverride('agent.alpha=0.25')).toEqual({ key: 'agent.alpha', value: 0.25 });
    expect(parseOverride('fail=true')).toEqual({ key: 'fail', value: true });
    expect(parseOverride('name=hello')).toEqual({ key: 'name', value: 'hello' });
    expect(parseOverride('xs=[1,2]')).toEqual({ key: 'xs', value: [1, 2] });
  });

  it('rejects text that is not key=value', () => {
    expect(messageOf(() => parseOverride('steps'))).toContain('--set');
    expect(messageOf(() => parseOverride('=3'))).toContain('not key=value');
  });

  it('sets dotted keys without touching siblings and merges nested objects', () => {
    expect(setPath({ a: { b: 1, c: 2 } }, 'a.b', 5)).toEqual({ a: { b: 5, c: 2 } });
    expect(deepMerge({ a: { b: 1, c: 2 }, d: 1 }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 }, d: 1 });
  });

  it('layers defaults < quick < file < --set', () => {
    const dir = tempDir();
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'steps: 7\nagent:\n  alpha: 0.1\n');
    expect(resolveConfig(counter, {})).toEqual({
      steps: 20,
      fail: false,
      yieldEvery: 0,
      agent: { alpha: 0.5 },
      cap: 10,
    });
    expect(resolveConfig(counter, { quick: true }).steps).toBe(5);
    expect(resolveConfig(counter, { quick: true, file })).toMatchObject({ steps: 7, agent: { alpha: 0.1 } });
    expect(resolveConfig(counter, { quick: true, file, sets: ['agent.alpha=0.9'] }).agent.alpha).toBe(0.9);
  });

  it('reads JSON files and reports unreadable or malformed files by path', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'c.json'), '{"steps": 3}');
    expect(readConfigFile(join(dir, 'c.json'))).toEqual({ steps: 3 });
    writeFileSync(join(dir, 'bad.json'), '{"steps": ');
    expect(messageOf(() => readConfigFile(join(dir, 'bad.json')))).toMatch(/bad\.json: not valid JSON/);
    writeFileSync(join(dir, 'list.yaml'), '- 1\n- 2\n');
    expect(messageOf(() => readConfigFile(join(dir, 'list.yaml')))).toContain('one object');
    expect(messageOf(() => readConfigFile(join(dir, 'missing.yaml')))).toContain('ENOENT');
  });
});

describe('config validation', () => {
  it('names an unknown key and lists the allowed ones, nested too', () => {
    const top = messageOf(() => resolveConfig(counter, { sets: ['stpes=3'] }));
    expect(top).toContain("unknown config key 'stpes'");
    expect(top).toContain('choose one of: steps, fail, yieldEvery, agent');
    const nested = messageOf(() => resolveConfig(counter, { sets: ['agent.beta=3'] }));
    expect(nested).toContain("unknown config key 'agent.beta' (choose one of: agent.alpha)");
  });

  it('names the key of a wrong type and of an out-of-range value', () => {
    expect(messageOf(() => resolveConfig(counter, { sets: ['steps=many'] }))).toMatch(
      /counter: config key 'steps': .*expected number/i,
    );
    const range = messageOf(() => resolveConfig(counter, { sets: ['agent.alpha=1.5'] }));
    expect(range).toContain("config key 'agent.alpha'");
    expect(range).toContain('1');
  });

  it('lists allowed keys by path through defaults', () => {
    expect(allowedKeys(counter.config, ['agent'])).toEqual(['alpha']);
  });

  it('hashes configs independently of key order', () => {
    expect(configHash({ a: 1, b: { c: 2, d: 3 } })).toBe(configHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(configHash({ a: 1 })).not.toBe(configHash({ a: 2 }));
  });

  it('keeps --set raw values for validation', () => {
    expect(mergeConfigSources(counter, { sets: ['steps=3', 'steps=4'] })).toEqual({ steps: 4 });
  });
});

describe('describeConfig', () => {
  it('lists every leaf key with its type, default, quick value and range, from the schema', () => {
    const keys = describeConfig(counter);
    expect(keys.map((k) => k.key)).toEqual(['steps', 'fail', 'yieldEvery', 'agent.alpha', 'cap']);
    expect(keys[0]).toMatchObject({ type: 'integer', default: 20, quick: 5, accepts: '[1, 1000000]' });
    expect(keys[3]).toMatchObject({ type: 'number', default: 0.5, quick: 0.5, accepts: '[0, 1]' });
  });
});
