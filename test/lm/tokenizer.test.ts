import { describe, expect, it } from 'vitest';
import {
  BOS,
  BpeTokenizer,
  CharTokenizer,
  EOS,
  specialTokens,
  tokenizerFromJson,
  UNK,
} from '../../src/lm/tokenizer.js';

describe('CharTokenizer', () => {
  const tok = CharTokenizer.train(['ab+c', 'ba=']);

  it('puts the four special tokens first, then the sorted alphabet', () => {
    expect(tok.vocabSize).toBe(4 + 5);
    expect([...Array(tok.vocabSize).keys()].map((i) => tok.tokenText(i))).toEqual([
      ...specialTokens,
      '+',
      '=',
      'a',
      'b',
      'c',
    ]);
  });

  it('round-trips text, adds <bos>/<eos> on request, maps unseen characters to <unk>', () => {
    const ids = tok.encode('cab', { bos: true, eos: true });
    expect(ids).toEqual([BOS, 8, 6, 7, EOS]);
    expect(tok.decode(ids)).toBe('cab');
    expect(tok.encode('z')).toEqual([UNK]);
  });
});

describe('BpeTokenizer', () => {
  it('merges the most frequent pair first: "aaab aab" learns "aa" and then "aab"', () => {
    // Pair counts in words "aaab", " aab": (a,a)=3, (a,b)=2, ( ,a)=1 → merge a+a first;
    // then words are [aa,a,b] and [ ,aa,b]: (aa,a)=1, (a,b)=1, (aa,b)=1, ( ,aa)=1 → all ties at 1 stop.
    const tok = BpeTokenizer.train(['aaab aab'], 10);
    expect(tok.merges).toEqual([['a', 'a']]);
    expect(tok.encode('aaab').map((i) => tok.tokenText(i))).toEqual(['aa', 'a', 'b']);
  });

  it('is deterministic and shortens text it was trained on', () => {
    const texts = ['the cat sat on the mat', 'the dog sat on the log', 'the cat and the dog'];
    const a = BpeTokenizer.train(texts, 20);
    const b = BpeTokenizer.train([...texts], 20);
    expect(a.toJSON()).toEqual(b.toJSON());
    const encoded = a.encode(texts[0]);
    expect(encoded.length).toBeLessThan(texts[0].length);
    expect(a.decode(encoded)).toBe(texts[0]);
  });

  it('saves and loads through JSON with identical encodings', () => {
    const tok = BpeTokenizer.train(['12+34=46 sure', '99-9=90 maybe'], 8);
    const loaded = tokenizerFromJson(JSON.parse(JSON.stringify(tok.toJSON())));
    expect(loaded.kind).toBe('bpe');
    expect(loaded.encode('12+9=21 sure')).toEqual(tok.encode('12+9=21 sure'));
  });
});

describe('tokenizerFromJson', () => {
  it('rejects a file that is not a tokenizer, naming the file', () => {
    expect(() => tokenizerFromJson({ kind: 'wordpiece' }, 'ckpt/tokenizer.json')).toThrow(
      /ckpt\/tokenizer.json: not a tokenizer/,
    );
  });
});
