import type { ContextFit } from "../../../model/contextFit.ts";
import { formatMiB } from "../../../util/format.ts";

/** One line: which context the K/V memory limit buys, and why not more. */
export function formatContextFit(fit: ContextFit): string {
  const head = `context:      ${fit.ctx} tokens, K/V ${formatMiB(fit.bytes)} of the ${formatMiB(fit.limitBytes)} limit`;
  if (fit.cappedAtTraining) return `${head} (the model's training context; a longer one would not be used)`;
  return `${head} (${fit.next!.ctx} tokens would need ${formatMiB(fit.next!.bytes)})`;
}
