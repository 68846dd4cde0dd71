/** The language-model interface that local tiny models and remote OpenAI-compatible endpoints share. */

export interface GenerateOptions {
  /** Most new tokens per completion (default 32). */
  maxTokens?: number;
  /** 0 = greedy (argmax); default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens (0 or absent: all). */
  topK?: number;
  /** Cut a completion before the first occurrence of any of these strings. */
  stop?: readonly string[];
  /** Seed of the sampling stream (local models; passed on to servers that accept one). */
  seed?: number;
}

export interface Completion {
  text: string;
  /** 'stop': <eos> or a stop string ended it; 'length': maxTokens did. */
  finishReason: 'stop' | 'length';
  /** Tokens generated (before cutting at a stop string). */
  tokenCount: number;
}

/** Log-probabilities of a given completion's tokens after a prompt (natural log). */
export interface CompletionLogprobs {
  tokens: string[];
  /** One per completion token. */
  logprobs: Float32Array;
  /** Sum over the completion's tokens: log p(completion | prompt). */
  total: number;
}

/** What any model backend offers: completions, and log-probabilities where it can. */
export interface LanguageModel {
  readonly id: string;
  /** One completion per prompt, in order (batched where the backend can). */
  generate(prompts: readonly string[], options?: GenerateOptions): Promise<string[]>;
  /** Scores each completion after the prompt; absent where the backend cannot. */
  logprobs?(prompt: string, completions: readonly string[]): Promise<CompletionLogprobs[]>;
}
