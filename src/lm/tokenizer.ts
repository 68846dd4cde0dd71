/**
 * Tokenizers: character-level and byte-pair encoding (Sennrich et al. 2016) trained on a corpus.
 * Both reserve the same special tokens at ids 0–3, are deterministic (ties broken by symbol
 * order, never by hash order) and serialize to the JSON saved beside a checkpoint's weights.
 */
import { z } from 'zod';
import { UserInputError } from '../core/errors.js';

export const specialTokens = ['<pad>', '<bos>', '<eos>', '<unk>'] as const;
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const UNK = 3;

export interface EncodeOptions {
  /** Prepend <bos>. */
  bos?: boolean;
  /** Append <eos>. */
  eos?: boolean;
}

/** Text to token ids and back. */
export interface Tokenizer {
  readonly kind: 'char' | 'bpe';
  readonly vocabSize: number;
  encode(text: string, options?: EncodeOptions): number[];
  /** Text of the ids; special tokens are left out. */
  decode(ids: ArrayLike<number>): string;
  /** The string one id stands for (special tokens by their names). */
  tokenText(id: number): string;
  isSpecial(id: number): boolean;
  toJSON(): TokenizerJson;
}

const TokenizerJsonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('char'), specials: z.array(z.string()), symbols: z.array(z.string()) }),
  z.object({
    kind: z.literal('bpe'),
    specials: z.array(z.string()),
    symbols: z.array(z.string()),
    merges: z.array(z.tuple([z.string(), z.string()])),
  }),
]);
export type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;

/** Code points of a string (so astral characters stay one symbol). */
const chars = (text: string) => Array.from(text);

function alphabetOf(texts: Iterable<string>): string[] {
  const seen = new Set<string>();
  for (const t of texts) for (const c of chars(t)) seen.add(c);
  return [...seen].sort();
}

/** Shared vocabulary bookkeeping: specials first, then symbols in a fixed order. */
abstract class VocabularyTokenizer implements Tokenizer {
  abstract readonly kind: 'char' | 'bpe';
  protected readonly ids = new Map<string, number>();
  protected readonly vocab: string[];

  constructor(readonly symbols: readonly string[]) {
    this.vocab = [...specialTokens, ...symbols];
    this.vocab.forEach((s, i) => {
      if (i >= specialTokens.length) this.ids.set(s, i);
    });
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  protected abstract encodeText(text: string): number[];

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.encodeText(text);
    if (options.bos) ids.unshift(BOS);
    if (options.eos) ids.push(EOS);
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) if (!this.isSpecial(ids[i])) out += this.vocab[ids[i]] ?? '';
    return out;
  }

  tokenText(id: number): string {
    return this.vocab[id] ?? specialTokens[UNK];
  }

  isSpecial(id: number): boolean {
    return id < specialTokens.length;
  }

  abstract toJSON(): TokenizerJson;
}

export class CharTokenizer extends VocabularyTokenizer {
  readonly kind = 'char' as const;

  static train(texts: Iterable<string>): CharTokenizer {
    return new CharTokenizer(alphabetOf(texts));
  }

  protected encodeText(text: string): number[] {
    return chars(text).map((c) => this.ids.get(c) ?? UNK);
  }

  toJSON(): TokenizerJson {
    return { kind: 'char', specials: [...specialTokens], symbols: [...this.symbols] };
  }
}

/** Splits text into words with their leading space, the unit BPE merges within (as GPT-2 does). */
const pieces = (text: string) => text.match(/ ?[A-Za-z]+| ?\d| ?[^\sA-Za-z\d]|\s+(?!\S)|\s+/g) ?? [];

export class BpeTokenizer extends VocabularyTokenizer {
  readonly kind = 'bpe' as const;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();

  constructor(
    private readonly alphabet: readonly string[],
    readonly merges: readonly (readonly [string, string])[],
  ) {
    super([...alphabet, ...merges.map(([a, b]) => a + b)]);
    for (const [rank, [a, b]] of merges.entries()) this.ranks.set(`${a}\u0000${b}`, rank);
  }

  /**
   * Learns `merges` merges: repeatedly joins the most frequent adjacent pair of symbols within
   * words (ties: the lexicographically smallest pair), until the count is reached or no pair
   * occurs twice.
   */
  static train(texts: Iterable<string>, merges: number): BpeTokenizer {
    const all = [...texts];
    const wordCounts = new Map<string, number>();
    for (const t of all) for (const p of pieces(t)) wordCounts.set(p, (wordCounts.get(p) ?? 0) + 1);
    const words = [...wordCounts].map(([w, n]) => ({ symbols: chars(w), n }));
    const learned: [string, string][] = [];
    const vocab = new Set(alphabetOf(all));
    while (learned.length < merges) {
      const pairs = new Map<string, number>();
      for (const { symbols, n } of words)
        for (let i = 0; i + 1 < symbols.length; i++) {
          const key = `${symbols[i]}\u0000${symbols[i + 1]}`;
          pairs.set(key, (pairs.get(key) ?? 0) + n);
        }
      let best: string | undefined;
      let bestCount = 1;
      for (const [key, n] of pairs) {
        const joined = key.replace('\u0000', '');
        if (vocab.has(joined)) continue; // two splits of one string: keep the vocabulary unique
        if (n > bestCount || (n === bestCount && best !== undefined && key < best)) {
          best = key;
          bestCount = n;
        }
      }
      if (best === undefined) break;
      const [a, b] = best.split('\u0000') as [string, string];
      learned.push([a, b]);
      vocab.add(a + b);
      for (const w of words) w.symbols = mergePair(w.symbols, a, b);
    }
    return new BpeTokenizer(alphabetOf(all), learned);
  }

  protected encodeText(text: string): number[] {
    const out: number[] = [];
    for (const p of pieces(text)) {
      let ids = this.cache.get(p);
      if (!ids) {
        ids = this.applyMerges(chars(p)).map((s) => this.ids.get(s) ?? UNK);
        this.cache.set(p, ids);
      }
      out.push(...ids);
    }
    return out;
  }

  /** Applies learned merges in rank order, as at training time. */
  private applyMerges(symbols: string[]): string[] {
    let current = symbols;
    for (;;) {
      let bestRank = Infinity;
      let best: [string, string] | undefined;
      for (let i = 0; i + 1 < current.length; i++) {
        const rank = this.ranks.get(`${current[i]}\u0000${current[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = [current[i], current[i + 1]];
        }
      }
      if (!best) return current;
      current = mergePair(current, best[0], best[1]);
    }
  }

  toJSON(): TokenizerJson {
    return {
      kind: 'bpe',
      specials: [...specialTokens],
      symbols: [...this.alphabet],
      merges: this.merges.map(([a, b]) => [a, b]),
    };
  }
}

function mergePair(symbols: string[], a: string, b: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (i + 1 < symbols.length && symbols[i] === a && symbols[i + 1] === b) {
      out.push(a + b);
      i++;
    } else out.push(symbols[i]);
  }
  return out;
}

/** Rebuilds a tokenizer from its JSON; `where` names the file in errors. */
export function tokenizerFromJson(data: unknown, where = 'tokenizer.json'): Tokenizer {
  const parsed = TokenizerJsonSchema.safeParse(data);
  if (!parsed.success) {
    throw new UserInputError(`not a tokenizer: ${parsed.error.issues[0]?.message ?? 'invalid'}`, where);
  }
  const t = parsed.data;
  if (t.specials.join() !== specialTokens.join()) {
    throw new UserInputError(`special tokens must be ${specialTokens.join(' ')}`, where);
  }
  return t.kind === 'char' ? new CharTokenizer(t.symbols) : new BpeTokenizer(t.symbols, t.merges);
}

export const tokenizerKinds = ['char', 'bpe'] as const;
export type TokenizerKind = (typeof tokenizerKinds)[number];

/** Builds a character or BPE tokenizer from texts. */
export function trainTokenizer(kind: TokenizerKind, texts: Iterable<string>, merges = 200): Tokenizer {
  return kind === 'char' ? CharTokenizer.train(texts) : BpeTokenizer.train(texts, merges);
}
