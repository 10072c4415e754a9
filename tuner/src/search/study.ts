import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { kvTypeSchema } from "../profiles/schema.ts";
import { writeJsonAtomic } from "../util/atomicFile.ts";
import { relativeSpeedSchema } from "./relativeSpeed.ts";

/** Where a trial's assignment came from. */
export const trialOriginSchema = z.enum(["uniform", "sensitivity", "greedy", "tpe"]);

const intervalSchema = z.tuple([z.number(), z.number()]);

/** One measurement of an assignment against f16 on the search text, with 95% intervals. */
export const measurementSchema = z.object({
  /** chunks of the eval ctx scored */
  chunks: z.number().int().positive(),
  deltaPpl: z.number(),
  deltaPplPct: z.number(),
  deltaPplPctInterval: intervalSchema,
  meanKld: z.number(),
  meanKldInterval: intervalSchema,
  top1Agreement: z.number(),
  /** PPL with the f16 cache on the same text, to convert an absolute budget */
  pplBase: z.number().positive(),
  wallMs: z.number().nonnegative(),
  /** a sequential decision's: how it ended (see sequential.ts), and the chunk count of every look, the last decided */
  decidedBy: z.enum(["upper-within", "lower-over", "cap", "time"]).optional(),
  looks: z.array(z.number().int().positive()).optional(),
});

export type Measurement = z.infer<typeof measurementSchema>;

/** A trial: its screening measurement (few tokens) and, when that could not decide it, one with more tokens. */
export const trialSchema = measurementSchema.extend({
  number: z.number().int().nonnegative(),
  origin: trialOriginSchema,
  assignment: z.object({ k: z.array(kvTypeSchema), v: z.array(kvTypeSchema) }),
  /** objective: K/V bytes at the study's target context */
  bytes: z.number().int().positive(),
  /**
   * the same assignment decided sequentially on more chunks of the search text (grown while its interval straddles
   * the budget, up to the cap): only for candidates taken to the decision; `chunks` is how many it used
   */
  decision: measurementSchema.optional(),
  /** the same rule on the unseen half, for candidates whose decision held */
  confirmation: measurementSchema.optional(),
  /** bytes llama.cpp allocated during the measurement (eval ctx), equal to the formula */
  measuredBytes: z.number().int().positive(),
  /** with --min-speed: llama-bench speed relative to f16 (the slower of prompt and generation) */
  speed: relativeSpeedSchema.optional(),
  finishedAt: z.string(),
});

export type Trial = z.infer<typeof trialSchema>;

export const studySchema = z.object({
  version: z.literal(2),
  /** everything the measurements depend on; a study is only resumed under the same key */
  key: z.string(),
  description: z.string(),
  groups: z.array(z.array(z.number().int().nonnegative())),
  targetCtx: z.number().int().positive(),
  trials: z.array(trialSchema),
});

export type Study = z.infer<typeof studySchema>;

export class StudyMismatchError extends Error {
  constructor(path: string, expected: string, found: string) {
    super(
      `study file ${path} belongs to another search (key ${found}, expected ${expected}); remove it or run with --no-resume to start over`,
    );
    this.name = "StudyMismatchError";
  }
}

/**
 * Every finished trial, rewritten atomically after each one: a Ctrl-C or kill -9 loses at most the trial that
 * was running. Reading back also ignores nothing silently: a corrupt file is an error, not an empty study.
 */
export class StudyStore {
  constructor(readonly path: string) {}

  load(key: string): Study | undefined {
    if (!existsSync(this.path)) return undefined;
    const study = studySchema.parse(JSON.parse(readFileSync(this.path, "utf8")));
    if (study.key !== key) throw new StudyMismatchError(this.path, key, study.key);
    return study;
  }

  save(study: Study): void {
    writeJsonAtomic(this.path, study);
  }
}
