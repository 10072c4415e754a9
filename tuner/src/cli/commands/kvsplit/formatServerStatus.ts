import { describeAttention, summarizeAttention } from "../../../native/attnPlacement.ts";
import type { ServerStatus } from "../../../server/types.ts";
import { formatBytes } from "../../../util/format.ts";

/** One block of text a person reads: state, address, profile, measured K/V memory, where attention runs, log. */
export function formatServerStatus(status: ServerStatus, logPath: string): string {
  switch (status.state) {
    case "stopped":
      return "llama-server: stopped";
    case "port-in-use": {
      const who = status.holder
        ? `pid ${status.holder.pid}: ${status.holder.command}`
        : "a process KVSplit did not start";
      return `llama-server: stopped; port ${status.port} is used by ${who}, which is not a KVSplit server`;
    }
    case "crashed": {
      const pid = status.server.pid;
      const gone = status.pidReused
        ? `pid ${pid} now belongs to another process, which KVSplit leaves alone`
        : `pid ${pid} is gone`;
      return [`llama-server: crashed (${gone}); last lines of ${logPath}:`, ...status.logTail].join("\n");
    }
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
        ...(status.keyLost
          ? [
              `found again:  server.json and server.key are damaged: found by its command line, but its API key ` +
                `is lost; 'kvsplit server restart' gives it a new one`,
            ]
          : status.recovered
            ? [`found again:  server.json was missing or damaged; found by its command line`]
            : []),
        `API key:      in server.json and server.key next to the log (send it as Authorization: Bearer <key>)`,
        `log:          ${logPath}`,
      ].join("\n");
    }
  }
}

/** The status for scripts (`kvsplit server status --json`): the API key is a secret, so it is left out. */
export function serverStatusJson(status: ServerStatus, logPath: string): object {
  if (status.state !== "running" && status.state !== "crashed") return { ...status, logPath };
  const server: Partial<typeof status.server> = { ...status.server };
  delete server.apiKey;
  return { ...status, server, logPath };
}
