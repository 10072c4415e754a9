import { describeAttention, summarizeAttention } from "../../../native/attnPlacement.ts";
import type { ServerStatus } from "../../../server/types.ts";
import { formatBytes } from "../model/formatBytes.ts";

/** One block of text a person reads: state, address, profile, measured K/V memory, where attention runs, log. */
export function formatServerStatus(status: ServerStatus, logPath: string): string {
  switch (status.state) {
    case "stopped":
      return "llama-server: stopped";
    case "port-in-use":
      return `llama-server: stopped; port ${status.port} is used by another process`;
    case "crashed":
      return [
        `llama-server: crashed (pid ${status.server.pid} is gone); last lines of ${logPath}:`,
        ...status.logTail,
      ].join("\n");
    case "running": {
      const { server, kvCache } = status;
      const kv = kvCache
        ? `${formatBytes(kvCache.sizeK + kvCache.sizeV)} (K ${formatBytes(kvCache.sizeK)}, V ${formatBytes(kvCache.sizeV)})`
        : "not reported (stock llama-server)";
      return [
        `llama-server: ${status.ready ? "running" : "loading the model"} at http://127.0.0.1:${server.port} (pid ${server.pid})`,
        `profile:      ${server.profileName}`,
        `model:        ${server.modelPath}`,
        `K/V memory:   ${kv}`,
        ...(kvCache ? [`attention:    ${describeAttention(summarizeAttention(kvCache.layers))}`] : []),
        `started:      ${server.startedAt}`,
        `log:          ${logPath}`,
      ].join("\n");
    }
  }
}
