import { z } from "zod";

/** One `data:` event of an OpenAI-compatible chat completion stream; only the fields we read. */
export const chatChunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .default([]),
  usage: z
    .object({ completion_tokens: z.number().int().nonnegative(), prompt_tokens: z.number().int().nonnegative() })
    .nullish(),
  /** llama-server reports a failure inside the stream this way once the HTTP status is already sent */
  error: z.object({ code: z.number().optional(), message: z.string() }).nullish(),
});

export type ChatChunk = z.infer<typeof chatChunkSchema>;
