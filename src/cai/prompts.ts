/**
 * The prompts of Constitutional AI as plain text (any completions model can take them), after
 * Bai et al. 2022: a Human/Assistant transcript, then `CritiqueRequest:` / `Critique:` and
 * `RevisionRequest:` / `Revision:`; the feedback model sees the conversation, the principle's
 * comparison question, the options (A) and (B) and "The answer is:".
 */
import type { ChatTurn, Principle } from './constitution.js';

/** Stop strings that end a completion at the next turn marker. */
export const TURN_STOPS = ['\n\nHuman:', '\n\nCritiqueRequest:', '\n\nRevisionRequest:', '\n\n---'];

/** The request as a transcript ending where the assistant speaks. */
export function responsePrompt(request: string): string {
  return `Human: ${request.trim()}\n\nAssistant:`;
}

/** Few-shot conversations as transcripts: user turns alternate Human / request names, as in the paper. */
export function renderExamples(examples: readonly ChatTurn[][]): string {
  return examples
    .map((conv) => {
      const lines: string[] = [];
      let userTurns = 0;
      let assistantTurns = 0;
      for (const turn of conv) {
        if (turn.role === 'system') lines.push(turn.content.trim());
        else if (turn.role === 'user') {
          userTurns++;
          lines.push(
            `${userTurns === 1 ? 'Human' : userTurns % 2 === 0 ? 'CritiqueRequest' : 'RevisionRequest'}: ${turn.content.trim()}`,
          );
        } else {
          assistantTurns++;
          lines.push(
            `${assistantTurns === 1 ? 'Assistant' : assistantTurns % 2 === 0 ? 'Critique' : 'Revision'}: ${turn.content.trim()}`,
          );
        }
      }
      return `${lines.join('\n\n')}\n\n---\n\n`;
    })
    .join('');
}

export function critiquePrompt(
  examples: string,
  request: string,
  response: string,
  principle: Principle,
): string {
  return `${examples}Human: ${request.trim()}\n\nAssistant: ${response.trim()}\n\nCritiqueRequest: ${principle.critique.trim()}\n\nCritique:`;
}

export function revisionPrompt(
  examples: string,
  request: string,
  response: string,
  principle: Principle,
  critique: string,
): string {
  return `${critiquePrompt(examples, request, response, principle)} ${critique.trim()}\n\nRevisionRequest: ${principle.revision.trim()}\n\nRevision:`;
}

/** The multiple-choice question; `ending` is "The answer is:" or the chain-of-thought cue. */
export function comparisonPrompt(
  request: string,
  a: string,
  b: string,
  principle: Principle,
  ending = 'The answer is:',
  markers: readonly [string, string] = OPTION_MARKERS,
): string {
  return `Consider the following conversation between a human and an assistant:\nHuman: ${request.trim()}\n${principle.comparison.trim()}\nOptions:\n(${markers[0]}) ${a.trim()}\n(${markers[1]}) ${b.trim()}\n${ending}`;
}

/** The option names (Bai et al.: A and B); a model whose vocabulary lacks letters can use others, e.g. 1 and 2. */
export const OPTION_MARKERS: readonly [string, string] = ['A', 'B'];

/** The scored continuation naming an option: " (A)". */
export const optionText = (marker: string) => ` (${marker})`;

export const COT_CUE = "Let's think step by step:";
export const COT_ANSWER = '\nTherefore, the answer is:';
