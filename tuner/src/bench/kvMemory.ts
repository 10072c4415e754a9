import { kvCacheReportFromServer, serverKvCacheSchema, type KvCacheReport } from "../native/kvReport.ts";
import { withScratchServer } from "../native/scratchServer.ts";

/** What llama-server's GET /props says about its memory: the K/V report and the context one slot gets. */
export interface ServerMemory extends KvCacheReport {
  /** default_generation_settings.n_ctx: the slot's context (capped by llama-server at the training context) */
  slotCtx: number;
}

/**
 * The K/V cache llama.cpp allocates for one sequence of `ctx` tokens: starts the patched llama-server on loopback,
 * reads its /props report, stops it. Allocation only, nothing is processed, so 32K contexts cost a second.
 */
export async function measureKvMemory(modelPath: string, cacheArgs: string[], ctx: number): Promise<ServerMemory> {
  return withScratchServer({ modelPath, cacheArgs, ctx }, async (baseUrl) => {
    const props = (await (await fetch(`${baseUrl}/props`)).json()) as {
      kv_cache?: unknown;
      default_generation_settings?: { n_ctx?: number };
    };
    return {
      ...kvCacheReportFromServer(serverKvCacheSchema.parse(props.kv_cache)),
      slotCtx: props.default_generation_settings?.n_ctx ?? Number.NaN,
    };
  });
}
