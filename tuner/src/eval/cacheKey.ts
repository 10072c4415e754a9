import { createHash } from "node:crypto";
import { buildLabel } from "../native/buildInfo.ts";
import type { EvalSetup } from "./types.ts";

/** A stable key over everything that changes a measurement; `extra` names the setting measured. */
export function evalCacheKey(setup: EvalSetup, extra: unknown): string {
  const identity = {
    build: buildLabel(setup.build),
    cmake: setup.build.cmakeFlags,
    model: setup.modelHash,
    text: setup.text.sha256,
    ctx: setup.ctx,
    chunks: setup.chunks,
    extra,
  };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 24);
}
