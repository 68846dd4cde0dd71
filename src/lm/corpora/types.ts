/**
 * A synthetic corpus: prompt/completion pairs the model trains on, each carrying the
 * generator's ground truth. The model sees `prompt + completion` only; `truth` is for
 * evaluators (and must never be fed to an optimizer).
 */
export interface CorpusItem<Truth = unknown> {
  prompt: string;
  completion: string;
  truth: Truth;
}

/** A text corpus whose items carry known truth, so outputs can be graded. */
export interface Corpus<Truth = unknown> {
  readonly name: string;
  /** One line: what the items are and what the truth means. */
  readonly description: string;
  /** Deterministic for the corpus's seed; train and test never share a prompt. */
  split(which: 'train' | 'test'): readonly CorpusItem<Truth>[];
  /** The prompt for a free-form request in this corpus's format (chat messages are served through it). */
  promptFor(request: string): string;
  /** Where a generated completion ends (besides <eos>). */
  readonly stop: readonly string[];
}
