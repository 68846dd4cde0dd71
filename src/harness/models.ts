/**
 * The models an eval runs on: a local checkpoint (or the cached arithmetic base model) and any
 * OpenAI-compatible endpoint (OpenAI, vLLM, llama.cpp, Ollama, `alignlab serve`). The endpoint's
 * key comes from the environment (`OPENAI_API_KEY`, or the variable `apiKeyEnv` names) and is
 * never logged: it is left out of fingerprints and redacted from error messages.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import OpenAI from 'openai';
import { UserInputError } from '../core/errors.js';
import { loadArithmeticBaseModel } from '../lm/base-model.js';
import { loadLocalModel } from '../lm/load.js';
import { LocalLanguageModel } from '../lm/local-model.js';
import { type AbortableModel, ModelCallError } from './transport.js';
import type { ChatMessage, ModelRequest, ModelResponse } from './types.js';

/** A conversation as one prompt, for models without a chat format (single user turn: its text alone). */
export function renderTranscript(messages: readonly ChatMessage[]): string {
  if (messages.length === 1 && messages[0].role === 'user') return messages[0].content;
  const names = { system: 'System', user: 'User', assistant: 'Assistant' } as const;
  return `${messages.map((m) => `${names[m.role]}: ${m.content}`).join('\n')}\nAssistant:`;
}

function promptOf(request: ModelRequest): string {
  if (request.prompt !== undefined) return request.prompt;
  return renderTranscript(request.messages ?? []);
}

/** A local transformer as an eval model. Its fingerprint hashes the weights, so a retrained checkpoint misses the cache. */
export function localEvalModel(lm: LocalLanguageModel, fingerprint: string): AbortableModel {
  return {
    id: lm.id,
    provider: 'local',
    fingerprint,
    async call(request): Promise<ModelResponse> {
      const [completion] = await lm.complete([promptOf(request)], {
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        stop: request.stop,
        seed: request.seed,
      });
      return { text: completion.text, tokens: completion.tokenCount, attempts: 1 };
    },
    async logprob(prompt, completion) {
      const [scored] = await lm.logprobs(prompt, [completion]);
      return scored.total;
    },
  };
}

export interface RemoteModelOptions {
  model: string;
  baseURL: string;
  /** The key itself (from the environment); never written anywhere. */
  apiKey?: string;
  api?: 'completions' | 'chat';
}

/** An OpenAI-compatible endpoint as an eval model (the SDK's own retries are off: the transport retries). */
export function remoteEvalModel(options: RemoteModelOptions): AbortableModel {
  const api = options.api ?? 'completions';
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey || 'alignlab-local', // local servers ignore the key; the SDK insists on one
    maxRetries: 0,
  });
  const redact = (text: string) => (options.apiKey ? text.split(options.apiKey).join('***') : text);
  let host: string;
  try {
    host = new URL(options.baseURL).host;
  } catch {
    throw new UserInputError(`'${options.baseURL}' is not a URL`, '--base-url');
  }
  const callWithSignal = async (request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> => {
    const common = {
      model: options.model,
      max_tokens: request.maxTokens,
      temperature: request.temperature,
      ...(request.stop?.length ? { stop: request.stop } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
    };
    try {
      if (api === 'chat') {
        const messages = request.messages ?? [{ role: 'user' as const, content: request.prompt ?? '' }];
        const r = await client.chat.completions.create({ ...common, messages }, { signal });
        return { text: r.choices[0]?.message.content ?? '', tokens: r.usage?.completion_tokens, attempts: 1 };
      }
      const r = await client.completions.create({ ...common, prompt: promptOf(request) }, { signal });
      return { text: r.choices[0]?.text ?? '', tokens: r.usage?.completion_tokens, attempts: 1 };
    } catch (error) {
      throw classify(error, redact);
    }
  };
  /** The standard echo trick: prompt + completion with max_tokens 0, summing the completion's token logprobs. */
  const logprob = async (prompt: string, completion: string): Promise<number> => {
    try {
      const r = await client.completions.create({
        model: options.model,
        prompt: prompt + completion,
        max_tokens: 0,
        echo: true,
        logprobs: 0,
      });
      const lp = r.choices[0]?.logprobs;
      if (!lp?.token_logprobs || !lp.text_offset)
        throw new ModelCallError('the server returned no logprobs for echo', false);
      let total = 0;
      lp.text_offset.forEach((offset, k) => {
        if (offset >= prompt.length) total += lp.token_logprobs?.[k] ?? Number.NaN;
      });
      return total;
    } catch (error) {
      throw classify(error, redact);
    }
  };
  return {
    id: options.model,
    provider: host,
    ...(api === 'completions' ? { logprob } : {}),
    fingerprint: `${api} ${options.baseURL.replace(/\/+$/, '')}`,
    callWithSignal,
    call: (request) => callWithSignal(request, new AbortController().signal),
  };
}

/** 429, 408, 5xx, dropped connections and time-outs are worth retrying; other statuses are not. */
function classify(error: unknown, redact: (text: string) => string): ModelCallError {
  if (error instanceof OpenAI.APIUserAbortError)
    return new ModelCallError('request aborted (time-out)', true);
  if (error instanceof OpenAI.APIConnectionError) {
    const cause = (error.cause as { code?: string } | undefined)?.code;
    return new ModelCallError(
      redact(`connection failed${cause ? ` (${cause})` : ''}: ${error.message}`),
      true,
    );
  }
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const status = error.status;
    const retryAfter = Number(error.headers?.get?.('retry-after'));
    const message = (error.error as { message?: string } | undefined)?.message ?? error.message;
    return new ModelCallError(
      redact(`HTTP ${status}: ${message}`),
      status === 429 || status === 408 || status >= 500,
      status,
      Number.isFinite(retryAfter) ? retryAfter : undefined,
    );
  }
  return new ModelCallError(redact(error instanceof Error ? error.message : String(error)), false);
}

export interface ModelSpec {
  /** A checkpoint folder, `arithmetic-base`, or (with `baseURL`) a remote model's name. */
  model: string;
  baseURL?: string;
  /** The environment variable holding the key (default OPENAI_API_KEY). */
  apiKeyEnv?: string;
  api?: 'completions' | 'chat';
}

/** sha256 of a checkpoint's weights and config, shortened: what makes two local models the same. */
function checkpointFingerprint(dir: string): string {
  const hash = createHash('sha256');
  for (const file of ['config.json', 'model.safetensors']) {
    const path = join(dir, file);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Opens the model a `--model` flag names (remote when a base URL is given). */
export async function openEvalModel(
  spec: ModelSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<AbortableModel> {
  const baseURL = spec.baseURL ?? (spec.model.startsWith('openai/') ? env.OPENAI_BASE_URL : undefined);
  if (baseURL !== undefined || spec.model.startsWith('openai/')) {
    const keyVar = spec.apiKeyEnv ?? 'OPENAI_API_KEY';
    return remoteEvalModel({
      model: spec.model.replace(/^openai\//, ''),
      baseURL: baseURL ?? 'https://api.openai.com/v1',
      apiKey: env[keyVar],
      api: spec.api,
    });
  }
  if (spec.model === 'arithmetic-base') {
    const base = await loadArithmeticBaseModel();
    const lm = new LocalLanguageModel('arithmetic-base', base.model, base.tokenizer, { batchSize: 64 });
    return localEvalModel(lm, base.key);
  }
  const dir = resolve(spec.model);
  if (!existsSync(dir) || !statSync(dir).isDirectory() || !existsSync(join(dir, 'config.json'))) {
    throw new UserInputError(
      `'${spec.model}' is not a checkpoint folder (no config.json), nor 'arithmetic-base'; for a remote model pass --base-url`,
      '--model',
    );
  }
  const { lm } = await loadLocalModel(dir, basename(dir));
  return localEvalModel(lm, checkpointFingerprint(dir));
}
