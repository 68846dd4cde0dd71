/**
 * A LanguageModel on any OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama, or
 * `alignlab serve`) through the official `openai` SDK. Base URL, model and key come from the
 * options or the environment (OPENAI_BASE_URL, ALIGNLAB_MODEL, OPENAI_API_KEY). The legacy
 * completions API is used by default (batched prompts; logprobs of given completions by
 * `echo`); `api: 'chat'` serves chat-only models, which cannot score given completions.
 */
import OpenAI from 'openai';
import { UserInputError } from '../core/errors.js';
import type { CompletionLogprobs, GenerateOptions, LanguageModel } from './types.js';

export interface OpenAIBackendOptions {
  baseURL?: string;
  model?: string;
  apiKey?: string;
  api?: 'completions' | 'chat';
  /** Passed on to the SDK (tests keep it at 0). */
  maxRetries?: number;
}

/** Prompts per completions request: within any server's per-request cap (`alignlab serve`: 64). */
const PROMPTS_PER_REQUEST = 16;

/** A `LanguageModel` behind an OpenAI-compatible completions endpoint. */
export class OpenAIBackend implements LanguageModel {
  readonly id: string;
  readonly logprobs?: (prompt: string, completions: readonly string[]) => Promise<CompletionLogprobs[]>;
  private readonly client: OpenAI;
  private readonly api: 'completions' | 'chat';
  private readonly baseURL: string;

  constructor(options: OpenAIBackendOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    const model = options.model ?? env.ALIGNLAB_MODEL;
    if (!model)
      throw new UserInputError('no model named (pass --model or set ALIGNLAB_MODEL)', 'openai backend');
    this.id = model;
    this.api = options.api ?? 'completions';
    this.baseURL = options.baseURL ?? env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
    this.client = new OpenAI({
      baseURL: this.baseURL,
      // Local servers ignore the key; the SDK insists on one.
      apiKey: options.apiKey ?? env.OPENAI_API_KEY ?? 'alignlab-local',
      maxRetries: options.maxRetries ?? 2,
    });
    if (this.api === 'completions') this.logprobs = (p, c) => this.scoreByEcho(p, c);
  }

  async generate(prompts: readonly string[], options: GenerateOptions = {}): Promise<string[]> {
    const common = {
      model: this.id,
      max_tokens: options.maxTokens ?? 32,
      temperature: options.temperature ?? 1,
      ...(options.stop?.length ? { stop: [...options.stop] } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      // top_k is not OpenAI's; vLLM and alignlab serve read it from the body.
      ...(options.topK ? { top_k: options.topK } : {}),
    };
    if (this.api === 'chat') {
      return Promise.all(
        prompts.map(async (prompt) => {
          const r = await this.call('chat/completions', () =>
            this.client.chat.completions.create({
              ...common,
              messages: [{ role: 'user', content: prompt }],
            }),
          );
          return r.choices[0]?.message.content ?? '';
        }),
      );
    }
    const texts = Array<string>(prompts.length).fill('');
    for (let start = 0; start < prompts.length; start += PROMPTS_PER_REQUEST) {
      const chunk = prompts.slice(start, start + PROMPTS_PER_REQUEST);
      const r = await this.call('completions', () =>
        this.client.completions.create({ ...common, prompt: [...chunk] }),
      );
      for (const choice of r.choices) texts[start + choice.index] = choice.text;
    }
    return texts;
  }

  /**
   * One API call; an unreachable endpoint or an error status is a UserInputError naming the URL
   * and the status (the endpoint, key and model are the user's to fix).
   */
  private async call<T>(route: string, request: () => Promise<T>): Promise<T> {
    const url = `${this.baseURL.replace(/\/+$/, '')}/${route}`;
    try {
      return await request();
    } catch (error) {
      if (error instanceof OpenAI.APIConnectionError) {
        const cause = (error.cause as { code?: string; message?: string } | undefined) ?? {};
        const why = cause.code ?? cause.message ?? error.message;
        throw new UserInputError(`cannot reach the endpoint (${why})`, url);
      }
      if (error instanceof OpenAI.APIError && error.status !== undefined) {
        const message = (error.error as { message?: string } | undefined)?.message ?? error.message;
        throw new UserInputError(`the endpoint answered ${error.status}: ${message}`, url);
      }
      throw error;
    }
  }

  /** Scores each completion by echoing prompt + completion with max_tokens 0: the standard trick. */
  private async scoreByEcho(prompt: string, completions: readonly string[]): Promise<CompletionLogprobs[]> {
    const out: CompletionLogprobs[] = completions.map(() => ({
      tokens: [],
      logprobs: new Float32Array(),
      total: 0,
    }));
    for (let start = 0; start < completions.length; start += PROMPTS_PER_REQUEST) {
      const chunk = completions.slice(start, start + PROMPTS_PER_REQUEST);
      const r = await this.call('completions', () =>
        this.client.completions.create({
          model: this.id,
          prompt: chunk.map((c) => prompt + c),
          max_tokens: 0,
          echo: true,
          logprobs: 0,
        }),
      );
      this.readEcho(r, prompt, start, out);
    }
    return out;
  }

  private readEcho(
    r: OpenAI.Completions.Completion,
    prompt: string,
    start: number,
    out: CompletionLogprobs[],
  ): void {
    for (const choice of r.choices) {
      const lp = choice.logprobs;
      if (!lp?.tokens || !lp.token_logprobs || !lp.text_offset) {
        throw new UserInputError('the server returned no logprobs for echo', `model ${this.id}`);
      }
      // Completion tokens are those starting at or after the prompt's end.
      const keep = lp.text_offset.flatMap((offset, k) => (offset >= prompt.length ? [k] : []));
      const logprobs = Float32Array.from(keep, (k) => lp.token_logprobs?.[k] ?? Number.NaN);
      out[start + choice.index] = {
        tokens: keep.map((k) => lp.tokens?.[k] ?? ''),
        logprobs,
        total: logprobs.reduce((a, b) => a + b, 0),
      };
    }
  }
}
