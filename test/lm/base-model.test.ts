/**
 * The competent arithmetic base model: the checkpoint shipped in models/ is what the cache
 * key names, it can do the task (gates with margin, on a small held-out set), and the cache is
 * keyed, seeded, listed and cleared as `alignlab lm cache` promises.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseModelDir,
  baseModelKey,
  baseModelRecipe,
  cacheRoot,
  clearCache,
  confidenceMixture,
  listCache,
  loadArithmeticBaseModel,
  measureBaseModel,
  nearestWord,
  openBaseModel,
  publishDirectory,
  shippedBaseModelDir,
} from '../../src/lm/base-model.js';
import {
  arithmeticCorpus,
  type ConfidenceWord,
  confidenceProbability,
  confidenceWords,
} from '../../src/lm/corpora/arithmetic.js';
import { initBackend } from '../../src/nn/index.js';

const scratch = mkdtempSync(join(tmpdir(), 'alignlab-cache-'));
beforeAll(async () => {
  await initBackend();
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('arithmetic base model', () => {
  it('ships a checkpoint whose key is the current recipe, corpus and code version', () => {
    const shipped = openBaseModel(shippedBaseModelDir);
    expect(shipped.key).toBe(baseModelKey());
    shipped.model.dispose();
  });

  it('answers held-out +/− right and multiplications only sometimes, with calibrated words', () => {
    const base = openBaseModel(shippedBaseModelDir);
    // The test split's first 226 questions: 113 multiplications alternating with 113 +/−.
    const head = base.corpus.split('test').slice(0, 226);
    const stats = measureBaseModel(base.model, base.tokenizer, {
      ...base.corpus,
      split: () => head,
    });
    base.model.dispose();
    // Issue 10's gate is ≥ 95% (the full test split measures ≥ 99%, README); margin for 113 items.
    expect(stats.addSubAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(stats.addSubSampledAccuracy).toBeGreaterThanOrEqual(0.93);
    // A class the model gets right only part of the time (the issue asks for 30–80%).
    expect(stats.multiplyAccuracy).toBeGreaterThan(0.2);
    expect(stats.multiplyAccuracy).toBeLessThan(0.85);
    // Issue 10 asks ECE ≤ 0.05 on the test split; on 226 samples the noise is about ±0.03.
    expect(stats.ece).toBeLessThanOrEqual(0.08);
  });

  it('gives each class the word whose claimed probability is nearest its accuracy', () => {
    expect(nearestWord(0.99)).toBe('sure');
    expect(nearestWord(0.6)).toBe('maybe');
    expect(nearestWord(0.3)).toBe('guess');
  });

  it('says "sure" on some multiplications and mostly "guess", as its mixture says', () => {
    const base = openBaseModel(shippedBaseModelDir);
    // The recipe's mixture for × (right about half the time): every word at least the floor.
    const mix = base.mixture['*'];
    for (const w of confidenceWords)
      expect(mix[w] ?? 0).toBeGreaterThanOrEqual(baseModelRecipe.wordFloor - 1e-9);
    // 113 held-out × questions, 4 samples each: the model says every word (RLHF can shift it).
    const times = base.corpus
      .split('test')
      .filter((i) => i.truth.op === '*')
      .flatMap((i) => [i, i, i, i]);
    const stats = measureBaseModel(base.model, base.tokenizer, { ...base.corpus, split: () => times });
    base.model.dispose();
    // Trained shares ≈ 0.1 / 0.12 / 0.78; margins of several standard errors (452 samples).
    expect(stats.multiplyWords.sure).toBeGreaterThanOrEqual(0.04);
    expect(stats.multiplyWords.maybe).toBeGreaterThanOrEqual(0.04);
    expect(stats.multiplyWords.guess).toBeGreaterThanOrEqual(0.5);
  });
});

describe('confidence mixture', () => {
  const claim = (mix: Partial<Record<ConfidenceWord, number>>) =>
    confidenceWords.reduce((sum, w) => sum + (mix[w] ?? 0) * confidenceProbability[w], 0);

  it('gives a class right half the time every word, with mean claim equal to its accuracy', () => {
    const { '*': mix } = confidenceMixture({ '*': 0.49 }, 0.1);
    // Hand calculation: floors 0.1 each (claim 0.205); the other 0.7 must claim 0.285, i.e.
    // 0.407 on average, between guess (0.4) and maybe (0.7): 0.7·0.4 = 0.28, so maybe gets
    // 0.005 / (0.7 − 0.4) = 0.0167 more and guess the remaining 0.683.
    expect(mix.sure).toBeCloseTo(0.1, 9);
    expect(mix.maybe).toBeCloseTo(0.1 + 0.005 / 0.3, 9);
    expect(Object.values(mix).reduce((a, b) => a + (b ?? 0), 0)).toBeCloseTo(1, 9);
    expect(claim(mix)).toBeCloseTo(0.49, 9);
  });

  it('leaves a class above every claim (or below every claim) on its nearest word alone', () => {
    expect(confidenceMixture({ '+c0': 0.99, x: 0.3 }, 0.1)).toEqual({ '+c0': { sure: 1 }, x: { guess: 1 } });
  });

  it('draws the training words of a listed class from its distribution, one draw per copy', () => {
    const mix = { sure: 0.2, maybe: 0.3, guess: 0.5 };
    const corpus = arithmeticCorpus({ confidence: { '*': 'guess' }, confidenceMix: { '*': mix } });
    const times = corpus.split('train').filter((i) => i.truth.op === '*');
    for (const w of confidenceWords) {
      // 4,512 draws: standard error ≤ 0.0075.
      const share = times.filter((i) => i.completion.endsWith(` ${w}`)).length / times.length;
      expect(Math.abs(share - mix[w])).toBeLessThan(0.03);
    }
    // Held-out items keep the table word; unlisted classes their own.
    expect(corpus.split('test').every((i) => i.truth.op !== '*' || i.truth.confidence === 'guess')).toBe(
      true,
    );
    expect(corpus.split('train').every((i) => i.truth.op === '*' || i.truth.confidence === 'sure')).toBe(
      true,
    );
  });
});

describe('base-model cache', () => {
  it('lives under ALIGNLAB_CACHE, else XDG_CACHE_HOME/alignlab, else ~/.cache/alignlab', () => {
    expect(cacheRoot({ ALIGNLAB_CACHE: '/x/y', XDG_CACHE_HOME: '/z' })).toBe('/x/y');
    expect(cacheRoot({ XDG_CACHE_HOME: '/z' })).toBe('/z/alignlab');
    expect(cacheRoot({})).toMatch(/\.cache\/alignlab$/);
  });

  it('keys the entry by recipe: a different recipe is a different directory', () => {
    const changed = { ...baseModelRecipe, sft: { ...baseModelRecipe.sft, steps: 10 } };
    expect(baseModelKey(changed)).not.toBe(baseModelKey());
    expect(baseModelDir('/c')).toBe(`/c/lm/arithmetic-base-${baseModelKey()}`);
  });

  it('is seeded from the shipped copy, listed, reused, and cleared', async () => {
    const root = join(scratch, 'seeded');
    // A stray temporary directory of an interrupted writer is neither an entry nor in the way.
    mkdirSync(`${baseModelDir(root)}.tmp-1-0-x`, { recursive: true });
    const lines: string[] = [];
    const base = await loadArithmeticBaseModel({ cache: root, onProgress: (l) => lines.push(l) });
    expect(lines.some((l) => l.startsWith('seeding'))).toBe(true);
    expect(base.dir).toBe(baseModelDir(root));
    expect(listCache(root)).toEqual([expect.objectContaining({ current: true })]);
    // The same process gets the same model object back (no reload, no retraining).
    expect(await loadArithmeticBaseModel({ cache: root })).toBe(base);
    expect(clearCache(root)).toBe(1);
    expect(existsSync(join(root, 'lm'))).toBe(false);
    expect(listCache(root)).toEqual([]);
  });

  it('a writer that loses the race to publish yields to the complete entry and leaves no temporary', () => {
    const dir = join(scratch, 'race', 'entry');
    publishDirectory(dir, (tmp) => writeFileSync(join(tmp, 'config.json'), 'first'));
    for (const f of ['model.safetensors', 'tokenizer.json']) writeFileSync(join(dir, f), '');
    publishDirectory(dir, (tmp) => writeFileSync(join(tmp, 'config.json'), 'second'));
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('first');
    expect(readdirSync(join(scratch, 'race'))).toEqual(['entry']);
  });
});
