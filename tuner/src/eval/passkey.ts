/**
 * The passkey test of llama.cpp's examples/passkey (after Mohtashami & Jaggi, "Landmark Attention", 2023): a
 * five-digit key hidden at some depth of repeated filler text, and a question at the end. Retrieval needs attention
 * to reach back over the whole context, so it shows what ΔPPL on local text can miss.
 */
export const passkeyText = {
  prefix:
    "There is an important info hidden inside a lot of irrelevant text. Find it and memorize them. " +
    "I will quiz you about the important information there.",
  filler: " The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.",
  needle: (key: string) => ` The pass key is ${key}. Remember it. ${key} is the pass key.`,
  question: " What is the pass key? The pass key is",
} as const;

export interface PasskeyTrial {
  /** the context the prompt is built for, in tokens */
  lengthTokens: number;
  /** where the key sits, 0 (start) to 1 (end) */
  depth: number;
  key: string;
}

/** Token counts of the prompt's pieces, as the model's tokenizer sees them. */
export interface PasskeyPieceTokens {
  prefix: number;
  filler: number;
  needle: number;
  question: number;
}

/**
 * `trials` trials at `lengthTokens`, keys spread over the context's depth from near the start to near the end.
 * Keys are fixed by the length and trial index, so every setting answers the same questions.
 */
export function passkeyTrials(lengthTokens: number, trials: number): PasskeyTrial[] {
  return Array.from({ length: trials }, (_, i) => ({
    lengthTokens,
    depth: (i + 0.5) / trials,
    key: String(10_000 + ((lengthTokens * 7_919 + (i + 1) * 104_729) % 90_000)),
  }));
}

/** The prompt for one trial: as many filler sentences as fit in `lengthTokens` less `reserveTokens`. */
export function passkeyPrompt(trial: PasskeyTrial, tokens: PasskeyPieceTokens, reserveTokens: number): string {
  const room = trial.lengthTokens - reserveTokens - tokens.prefix - tokens.needle - tokens.question;
  const fillers = Math.max(1, Math.floor(room / tokens.filler));
  const before = Math.round(trial.depth * fillers);
  return (
    passkeyText.prefix +
    passkeyText.filler.repeat(before) +
    passkeyText.needle(trial.key) +
    passkeyText.filler.repeat(fillers - before) +
    passkeyText.question
  );
}

/** Retrieved when the first number in the answer is the key. */
export function passkeyRetrieved(trial: PasskeyTrial, answer: string): boolean {
  return /\d+/.exec(answer)?.[0] === trial.key;
}
