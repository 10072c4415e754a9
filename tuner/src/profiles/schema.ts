import { z } from "zod";
import { InvalidProfileError } from "./errors/InvalidProfileError.ts";
import { kvTypeSchema } from "./kvType.ts";

export { kvTypeSchema, kvTypes, type KvType } from "./kvType.ts";

/**
 * The one definition of a precision profile (docs/design.md, "Precision profile"). The tuner, the CLI and the
 * Raycast extension all import this module; types come from `z.infer`, never from a copy.
 */
export const profileSchemaVersion = 1;

/** lowercase letters, digits, and single `-`/`_` between them: safe as a file name and a CLI argument */
export const profileNameSchema = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, "a profile name is lowercase letters and digits joined by - or _");

export const profileSourceSchema = z.enum(["builtin", "search", "manual", "import"]);

export const uniformCacheSchema = z.strictObject({
  mode: z.literal("uniform"),
  k: kvTypeSchema,
  v: kvTypeSchema,
});

/** Arrays are indexed by model layer, one entry per layer (length n_layer). */
export const perLayerCacheSchema = z
  .strictObject({
    mode: z.literal("per-layer"),
    k: z.array(kvTypeSchema).min(1),
    v: z.array(kvTypeSchema).min(1),
  })
  .refine((cache) => cache.k.length === cache.v.length, {
    error: (issue) => {
      const cache = issue.input as { k: unknown[]; v: unknown[] };
      return `per-layer k and v must have one type per layer each: k has ${cache.k.length}, v has ${cache.v.length}`;
    },
  });

export const cacheSchema = z.discriminatedUnion("mode", [uniformCacheSchema, perLayerCacheSchema]);

/** Which model file a per-layer profile was tuned for; absent for built-ins, which fit any model. */
export const profileModelSchema = z.strictObject({
  fileName: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  /** sha256 of the GGUF header + tensor info (model/gguf.ts) */
  headerHash: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest"),
  nLayer: z.number().int().positive(),
});

const evalTextRefSchema = z.strictObject({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest"),
});

/** Quality against the f16 cache on the same text (names follow eval/types.ts). */
const measuredQualitySchema = z.strictObject({
  /** PPL(profile) − PPL(f16), and the same as a percentage of PPL(f16) */
  deltaPplPct: z.number(),
  deltaPpl: z.number(),
  ppl: z.number().positive(),
  pplBase: z.number().positive(),
  meanKld: z.number().nonnegative(),
  /** 95% intervals from the per-token differences against f16 on the same tokens (absent before they were kept) */
  deltaPplPctInterval: z.tuple([z.number(), z.number()]).optional(),
  meanKldInterval: z.tuple([z.number(), z.number()]).optional(),
  /** share of tokens whose top-1 prediction matches f16's, 0..1 */
  top1Agreement: z.number().min(0).max(1),
  evalText: evalTextRefSchema,
  ctx: z.number().int().positive(),
  chunks: z.number().int().positive(),
});

export const profileQualitySchema = measuredQualitySchema.extend({
  /** the same measurement on a text part the search never saw */
  confirmation: measuredQualitySchema.optional(),
});

/** The limits the search was asked to respect. */
export const profileBudgetSchema = z.strictObject({
  maxDeltaPplPct: z.number().nonnegative().optional(),
  /** the same budget as an absolute PPL increase, converted on the search text's f16 PPL */
  maxDeltaPpl: z.number().nonnegative().optional(),
  maxKvBytesPerToken: z.number().int().positive().optional(),
  /** speed relative to f16 the search required (llama-bench on the machine it ran on) */
  minSpeed: z.number().positive().optional(),
  trials: z.number().int().positive().optional(),
  seed: z.number().int().optional(),
});

/** llama-bench throughput with this profile, and with f16 on the same machine for comparison. */
export const profileSpeedSchema = z.strictObject({
  /** tokens already in the cache when the speed was measured (llama-bench depth) */
  ctx: z.number().int().nonnegative(),
  promptTokensPerSecond: z.number().nonnegative(),
  generationTokensPerSecond: z.number().nonnegative(),
  f16PromptTokensPerSecond: z.number().nonnegative().optional(),
  f16GenerationTokensPerSecond: z.number().nonnegative().optional(),
});

export const llamaBuildSchema = z.strictObject({
  tag: z.string().min(1),
  patchHash: z.string().min(1),
});

export const profileSchema = z
  .strictObject({
    schemaVersion: z.literal(profileSchemaVersion),
    name: profileNameSchema,
    description: z.string().optional(),
    createdAt: z.iso.datetime({ offset: true }),
    source: profileSourceSchema,
    cache: cacheSchema,
    model: profileModelSchema.optional(),
    /** K+V bytes one token costs summed over all layers (model/kvBytes.ts `kvBytesPerToken`) */
    kvBytesPerToken: z.number().int().positive().optional(),
    quality: profileQualitySchema.optional(),
    budget: profileBudgetSchema.optional(),
    speed: profileSpeedSchema.optional(),
    llamaBuild: llamaBuildSchema.optional(),
  })
  .refine((profile) => profile.cache.mode !== "per-layer" || profile.model !== undefined, {
    error: "a per-layer profile must name the model it was made for (model.fileName, sizeBytes, headerHash, nLayer)",
    path: ["model"],
  })
  .refine(
    (profile) =>
      profile.cache.mode !== "per-layer" ||
      profile.model === undefined ||
      profile.cache.k.length === profile.model.nLayer,
    {
      error: (issue) => {
        const profile = issue.input as { cache: { k: unknown[] }; model: { nLayer: number } };
        return `per-layer cache must list one type per model layer: model has ${profile.model.nLayer} layers, cache lists ${profile.cache.k.length}`;
      },
      path: ["cache"],
    },
  );

export type Profile = z.infer<typeof profileSchema>;
export type ProfileSource = z.infer<typeof profileSourceSchema>;
export type ProfileCache = z.infer<typeof cacheSchema>;
export type UniformCache = z.infer<typeof uniformCacheSchema>;
export type PerLayerCache = z.infer<typeof perLayerCacheSchema>;
export type ProfileModel = z.infer<typeof profileModelSchema>;
export type ProfileQuality = z.infer<typeof profileQualitySchema>;

/** Validates `value` as a profile; `where` names it in the error (a file path, "the search result", ...). */
export function parseProfile(value: unknown, where: string): Profile {
  const result = profileSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidProfileError(where, z.prettifyError(result.error));
  }
  return result.data;
}
