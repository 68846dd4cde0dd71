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

export class OpenAIBackend implements LanguageModel {
  readonly id: string;
  readonly logprobs?: (prompt: string, completions: readonly string[]) => Promise<CompletionLogprobs[]>;
  private readonly client: OpenAI;
  private readonly api: 'completions' | 'chat';

  constructor(options: OpenAIBackendOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    const model = options.model ?? env.ALIGNLAB_MODEL;
    if (!model)
      throw new UserInputError('no model named (pass --model or set ALIGNLAB_MODEL)', 'openai backend');
    this.id = model;
    this.api = options.api ?? 'completions';
    this.client = new OpenAI({
      baseURL: options.baseURL ?? env.OPENAI_BASE_URL,
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
          const r = await this.client.chat.completions.create({
            ...common,
            messages: [{ role: 'user', content: prompt }],
          });
          return r.choices[0]?.message.content ?? '';
        }),
      );
    }
    if (prompts.length === 0) return [];
    const r = await this.client.completions.create({ ...common, prompt: [...prompts] });
    const texts = Array<string>(prompts.length).fill('');
    for (const choice of r.choices) texts[choice.index] = choice.text;
    return texts;
  }

  /** Scores each completion by echoing prompt + completion with max_tokens 0: the standard trick. */
  private async scoreByEcho(prompt: string, completions: readonly string[]): Promise<CompletionLogprobs[]> {
    if (completions.length === 0) return [];
    const r = await this.client.completions.create({
      model: this.id,
      prompt: completions.map((c) => prompt + c),
      max_tokens: 0,
      echo: true,
      logprobs: 0,
    });
    const out: CompletionLogprobs[] = completions.map(() => ({
      tokens: [],
      logprobs: new Float32Array(),
      total: 0,
    }));
    for (const choice of r.choices) {
      const lp = choice.logprobs;
      if (!lp?.tokens || !lp.token_logprobs || !lp.text_offset) {
        throw new UserInputError('the server returned no logprobs for echo', `model ${this.id}`);
      }
      // Completion tokens are those starting at or after the prompt's end.
      const keep = lp.text_offset.flatMap((offset, k) => (offset >= prompt.length ? [k] : []));
      const logprobs = Float32Array.from(keep, (k) => lp.token_logprobs?.[k] ?? Number.NaN);
      out[choice.index] = {
        tokens: keep.map((k) => lp.tokens?.[k] ?? ''),
        logprobs,
        total: logprobs.reduce((a, b) => a + b, 0),
      };
    }
    return out;
  }
}
