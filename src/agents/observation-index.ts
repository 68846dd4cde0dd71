import type { GridObservation } from '../envs/grid/env.js';

/** Bytes a key reserves for the board: padded to 8 so the extras can be written as float64. */
function padTo8(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Dense integer ids for observations (board plus extras), for tabular methods. An exact
 * open-addressing hash table over the observation's bytes: `indexOf` allocates nothing
 * unless it meets a new observation (and the table grows only by doubling), so a learner's
 * hot loop stays allocation-free, unlike `env.stateKey()`, which builds a string per call.
 */
export class ObservationIndex {
  readonly keyLength: number;
  private readonly boardLength: number;
  private readonly extraKeys: readonly string[];
  private readonly scratch: Uint8Array;
  /** The scratch key as 32-bit words, for hashing and comparing four bytes at a time. */
  private readonly scratchWords: Uint32Array;
  private readonly scratchExtras: Float64Array;
  private readonly words: number;
  /** keys[id * keyLength ...] = the observation with that id (`keyWords`: the same as words). */
  private keys: Uint8Array;
  private keyWords: Uint32Array;
  /** Open-addressing table of id + 1 (0 = empty). */
  private slots: Int32Array;
  private count = 0;

  constructor(observation: GridObservation) {
    this.boardLength = observation.board.length;
    this.extraKeys = Object.keys(observation.extra).sort();
    const boardBytes = padTo8(this.boardLength);
    this.keyLength = boardBytes + 8 * this.extraKeys.length;
    const buffer = new ArrayBuffer(this.keyLength);
    this.scratch = new Uint8Array(buffer);
    this.scratchWords = new Uint32Array(buffer);
    this.words = this.keyLength / 4;
    this.scratchExtras = new Float64Array(buffer, boardBytes, this.extraKeys.length);
    this.keys = new Uint8Array(this.keyLength * 256);
    this.keyWords = new Uint32Array(this.keys.buffer);
    this.slots = new Int32Array(1024);
  }

  /** Number of distinct observations seen. */
  get size(): number {
    return this.count;
  }

  /** The id of this observation, adding it if new. */
  indexOf(observation: GridObservation): number {
    const slot = this.probe(observation);
    const entry = this.slots[slot];
    return entry === 0 ? this.insert(slot) : entry - 1;
  }

  /** The id of this observation, or -1 if it was never seen (adds nothing). */
  find(observation: GridObservation): number {
    return this.slots[this.probe(observation)] - 1;
  }

  /**
   * The id of the seen observation closest to this one (fewest differing key bytes; the
   * lowest id on ties), or -1 if none was seen. A linear scan: for evaluation, not hot loops.
   */
  nearest(observation: GridObservation): number {
    const exact = this.find(observation);
    if (exact >= 0 || this.count === 0) return exact;
    const key = this.scratch;
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let id = 0; id < this.count; id++) {
      const base = id * this.keyLength;
      let distance = 0;
      for (let i = 0; i < key.length && distance < bestDistance; i++)
        if (this.keys[base + i] !== key[i]) distance++;
      if (distance < bestDistance) {
        bestDistance = distance;
        best = id;
      }
    }
    return best;
  }

  /** Writes the observation's key into the scratch buffer; returns its slot (matching or empty). */
  private probe(observation: GridObservation): number {
    const board = observation.board;
    const scratch = this.scratch;
    for (let i = 0; i < this.boardLength; i++) scratch[i] = board[i];
    const extra = observation.extra;
    for (let k = 0; k < this.extraKeys.length; k++) {
      const value = extra[this.extraKeys[k]];
      this.scratchExtras[k] = value === null ? Number.NaN : Number(value);
    }
    const mask = this.slots.length - 1;
    let slot = this.hash() & mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0 || this.matches(entry - 1)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private hash(): number {
    // FNV-1a over the key's 32-bit words, with a final avalanche (murmur3's fmix32).
    let h = 0x811c9dc5;
    const words = this.scratchWords;
    for (let i = 0; i < this.words; i++) h = Math.imul(h ^ words[i], 0x01000193);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) >>> 0;
  }

  private matches(id: number): boolean {
    const keys = this.keyWords;
    const key = this.scratchWords;
    const base = id * this.words;
    for (let i = 0; i < this.words; i++) if (keys[base + i] !== key[i]) return false;
    return true;
  }

  private insert(slot: number): number {
    const id = this.count++;
    if ((id + 1) * this.keyLength > this.keys.length) {
      const grown = new Uint8Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
      this.keyWords = new Uint32Array(grown.buffer);
    }
    this.keys.set(this.scratch, id * this.keyLength);
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return id;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    const mask = size - 1;
    const key = this.scratch;
    for (let id = 0; id < this.count; id++) {
      key.set(this.keys.subarray(id * this.keyLength, (id + 1) * this.keyLength));
      let slot = this.hash() & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = id + 1;
    }
  }
}
