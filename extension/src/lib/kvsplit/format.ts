import { formatBytes } from "@kvsplit/tuner/cli/commands/model/formatBytes";
import type { KvCacheReport } from "@kvsplit/tuner/native/kvReport";

export { formatBytes };

export function formatKvMemory(kvCache: KvCacheReport | undefined): string {
  return kvCache ? formatBytes(kvCache.sizeK + kvCache.sizeV) : "not reported";
}

export function formatPercent(value: number, digits = 1): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(digits)}%`;
}
