/**
 * How Ask (the extension and `kvsplit ask`) asks when the user says nothing else. Chosen on SmolLM2 135M Instruct
 * Q4_1, the model Ask serves: with the system line its own chat template adds ("...named SmolLM, trained by Hugging
 * Face") or with sampling at llama-server's 0.8, it often answers "What is the capital of France?" in broken French
 * and loops; greedy with a plain system line answers "The capital of France is Paris." and stops.
 */
export const defaultSystemPrompt = "You are a helpful assistant.";

/** Greedy: a tiny model's best guess, the same every time. */
export const defaultAnswerTemperature = 0;

/** The answer-length cap: long enough for a full answer, short enough that a looping model stops soon. */
export const defaultMaxAnswerTokens = 512;
