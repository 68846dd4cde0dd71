/**
 * The eval harness's vocabulary (after Inspect's: a `Task` is a dataset, a solver and scorers).
 * A `Sample` is one item of a dataset; a solver turns it into a `TaskState` by calling the model;
 * scorers read the state and give each sample a `Score`. A model call that still fails after its
 * retries makes the sample an `error`, never a `fail`: it says nothing about the model.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One item of a dataset. `target` is what a scorer compares against (absent when it needs none). */
export interface Sample {
  id: string;
  input: string | ChatMessage[];
  target?: string | string[];
  /** Multiple-choice options, when the item has them. */
  choices?: string[];
  metadata?: Record<string, unknown>;
}

/** One model call, as the harness asks for it. Either `prompt` (raw text) or `messages`. */
export interface ModelRequest {
  prompt?: string;
  messages?: ChatMessage[];
  maxTokens: number;
  temperature: number;
  stop?: string[];
  seed?: number;
}

export interface ModelResponse {
  text: string;
  /** Completion tokens as the backend counts them (undefined when it does not say). */
  tokens?: number;
  /** True when the response came from the on-disk cache. */
  cached?: boolean;
  /** Calls made for this response, retries included (1 = first try). */
  attempts: number;
}

/** A model as the harness calls it: one request at a time; concurrency, retries and caching wrap it. */
export interface EvalModel {
  /** The name in logs (a checkpoint's folder name, or the remote model's name). */
  readonly id: string;
  /** Calls to one provider share a concurrency limit (e.g. the endpoint's host, or `local`). */
  readonly provider: string;
  /** What the cache key is made of besides the request (content hash, base URL); never a key. */
  readonly fingerprint: string;
  call(request: ModelRequest): Promise<ModelResponse>;
  /** log p(completion | prompt), natural log, where the backend can score given text (local; completions `echo`). */
  logprob?(prompt: string, completion: string): Promise<number>;
}

/** What a solver builds up for one sample (and one epoch). */
export interface TaskState {
  sample: Sample;
  epoch: number;
  /** The conversation so far (the input, then each turn). */
  messages: ChatMessage[];
  /** The model's last answer. */
  output: string;
  /** Every model call made for this sample, in order (for the log). */
  calls: { request: ModelRequest; response: ModelResponse; ms: number }[];
  /** Anything a solver wants a scorer to see (e.g. the first and the second answer). */
  store: Record<string, unknown>;
}

export interface SolverContext {
  /** Calls the model (concurrency-limited, cached, retried); records the call in `state.calls`. */
  generate(state: TaskState, request: Partial<ModelRequest>): Promise<string>;
  /** log p(completion | prompt) under the model; undefined when the backend cannot score text. */
  logprob(prompt: string, completion: string): Promise<number | undefined>;
  /** Defaults for every request of the run (temperature, max tokens, seed of this sample/epoch). */
  defaults: Omit<ModelRequest, 'prompt' | 'messages'>;
}

export type Solver = (state: TaskState, ctx: SolverContext) => Promise<TaskState>;

/** One scorer's verdict on one sample: 1/0 for pass/fail, a number, or null when not applicable. */
export interface Score {
  value: number | null;
  /** What the scorer read from the output (the parsed answer). */
  answer?: string;
  explanation?: string;
}

export interface Scorer {
  name: string;
  /** Binary scorers give 0 or 1 (McNemar applies); others any number. */
  binary: boolean;
  /** Direction of good: for --fail-under and for "failed" in the viewer. */
  higherIsBetter: boolean;
  score(state: TaskState, ctx: ScorerContext): Promise<Score> | Score;
}

export interface ScorerContext {
  /** A grader model (model-graded scorers), when the run has one. */
  grader?: EvalModel;
  generate(state: TaskState, request: Partial<ModelRequest>, model?: EvalModel): Promise<string>;
}

export interface TaskConfig {
  maxTokens?: number;
  temperature?: number;
  stop?: string[];
}

export interface Task {
  name: string;
  description: string;
  samples: Sample[];
  solver: Solver;
  /** The first scorer is the primary one (summaries lead with it; --fail-under reads it). */
  scorers: Scorer[];
  config?: TaskConfig;
  /** Extra whole-run metrics computed from the finished samples (e.g. calibration error). */
  metrics?: (samples: readonly SampleRecord[]) => Record<string, number>;
  /**
   * Competence gates: a claim the primary score makes presumes the model can do the task; below a
   * gate's `min` (on the named scorer's mean) the run's verdict is `inconclusive`, whatever it scored.
   */
  gates?: { scorer: string; min: number; why: string }[];
  /** What the task's settings were, for the log (e.g. the dataset file and its hash). */
  params?: Record<string, unknown>;
}

export type SampleStatus = 'scored' | 'error';

/** One sample in one epoch, as logged. */
export interface SampleRecord {
  id: string;
  epoch: number;
  status: SampleStatus;
  input: string | ChatMessage[];
  target?: string | string[];
  output: string;
  messages: ChatMessage[];
  scores: Record<string, Score>;
  /** Passed the primary scorer (null: not applicable, or an error). */
  passed: boolean | null;
  metadata?: Record<string, unknown>;
  store?: Record<string, unknown>;
  error?: string;
  /** Model calls made, retries included; and how many needed retrying. */
  calls: number;
  attempts: number;
  cachedCalls: number;
  tokens: number;
  ms: number;
}
