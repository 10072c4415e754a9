import { formatMiB } from "../../util/format.ts";

/** Not even the smallest context llama.cpp allocates (256 cells) fits the K/V memory limit. */
export class KvMemoryTooSmallError extends Error {
  constructor(
    readonly limitBytes: number,
    readonly smallestBytes: number,
    readonly setting: string,
  ) {
    super(
      `a K/V memory limit of ${formatMiB(limitBytes)} holds no context with ${setting}: the smallest cache ` +
        `llama.cpp allocates (256 tokens) takes ${formatMiB(smallestBytes)}; expected a limit of at least that`,
    );
    this.name = "KvMemoryTooSmallError";
  }
}
