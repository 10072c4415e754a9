import { request } from "node:http";
import { withScratchServer } from "../native/scratchServer.ts";
import { ServerRequestError } from "./errors/ServerRequestError.ts";
import {
  passkeyPrompt,
  passkeyRetrieved,
  passkeyText,
  passkeyTrials,
  type PasskeyPieceTokens,
  type PasskeyTrial,
} from "./passkey.ts";

/** Passkey retrieval at one context length, for one K/V setting. */
export interface RetrievalScore {
  lengthTokens: number;
  /** trials whose answer started with the key, of `trials`; 0 of 0 when the length is beyond the model */
  correct: number;
  trials: number;
  /** why nothing was asked, e.g. the length exceeds the model's training context */
  skipped?: string;
  /** what the model answered, per trial, and the prompt's real token count */
  answers: { depth: number; key: string; answer: string; promptTokens: number }[];
}

export interface RetrievalOptions {
  modelPath: string;
  cacheArgs: string[];
  lengths: number[];
  trials: number;
  /** the model's training context: llama-server caps a slot there, so longer prompts are not asked */
  trainingCtx: number;
  threads?: number;
  onTrial?: (done: number, total: number) => void;
}

// room for the BOS token, tokenization seams between pieces, and the answer
const reserveTokens = 32;
const answerTokens = 8;
const ctxStep = 256;

/**
 * Asks the passkey trials of every length on one private llama-server with the setting's K/V types, greedy, and
 * counts the keys it gives back.
 */
export async function measureRetrieval(options: RetrievalOptions): Promise<RetrievalScore[]> {
  const maxCtx = Math.floor(options.trainingCtx / ctxStep) * ctxStep;
  const asked = options.lengths.filter((length) => length <= maxCtx);
  const skipped = (lengthTokens: number): RetrievalScore => ({
    lengthTokens,
    correct: 0,
    trials: 0,
    skipped: `beyond the model's training context (${options.trainingCtx} tokens)`,
    answers: [],
  });
  if (asked.length === 0) return options.lengths.map(skipped);

  const serverCtx = Math.min(maxCtx, Math.ceil((Math.max(...asked) + answerTokens) / ctxStep) * ctxStep);
  const total = asked.length * options.trials;
  let done = 0;
  const scores = await withScratchServer(
    { modelPath: options.modelPath, cacheArgs: options.cacheArgs, ctx: serverCtx, threads: options.threads },
    async (baseUrl) => {
      const pieces = await pieceTokens(baseUrl);
      const results = new Map<number, RetrievalScore>();
      for (const length of asked) {
        const score: RetrievalScore = { lengthTokens: length, correct: 0, trials: options.trials, answers: [] };
        for (const trial of passkeyTrials(length, options.trials)) {
          const answer = await ask(baseUrl, trial, pieces);
          score.answers.push({ depth: trial.depth, key: trial.key, ...answer });
          if (passkeyRetrieved(trial, answer.answer)) score.correct++;
          options.onTrial?.(++done, total);
        }
        results.set(length, score);
      }
      return results;
    },
  );
  return options.lengths.map((length) => scores.get(length) ?? skipped(length));
}

async function pieceTokens(baseUrl: string): Promise<PasskeyPieceTokens> {
  const count = async (content: string) =>
    ((await postJson(baseUrl, "/tokenize", { content })) as { tokens: unknown[] }).tokens.length;
  return {
    prefix: await count(passkeyText.prefix),
    // a thousand fillers tokenize to a thousand times one only if the seams do not merge; measure it in bulk
    filler: (await count(passkeyText.filler.repeat(100))) / 100,
    needle: await count(passkeyText.needle("12345")),
    question: await count(passkeyText.question),
  };
}

async function ask(
  baseUrl: string,
  trial: PasskeyTrial,
  pieces: PasskeyPieceTokens,
): Promise<{ answer: string; promptTokens: number }> {
  const response = (await postJson(baseUrl, "/completion", {
    prompt: passkeyPrompt(trial, pieces, reserveTokens),
    n_predict: answerTokens,
    temperature: 0,
    top_k: 1,
    cache_prompt: true,
  })) as { content: string; tokens_evaluated?: number };
  return { answer: response.content, promptTokens: response.tokens_evaluated ?? Number.NaN };
}

/**
 * POST with node:http rather than fetch: a 32K-token prompt on two cores can take longer than fetch's five-minute
 * wait for response headers, and the server sends none until it has the answer.
 */
function postJson(baseUrl: string, path: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}${path}`, { method: "POST", headers: { "content-type": "application/json" } });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        if (res.statusCode !== 200) {
          reject(new ServerRequestError(path, res.statusCode, text));
          return;
        }
        try {
          resolve(JSON.parse(text));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}
