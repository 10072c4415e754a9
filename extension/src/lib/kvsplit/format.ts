import { formatBytes } from "@kvsplit/tuner/util/format";
import type { KvCacheReport } from "@kvsplit/tuner/native/kvReport";

export function formatKvMemory(kvCache: KvCacheReport | undefined): string {
  return kvCache ? formatBytes(kvCache.sizeK + kvCache.sizeV) : "not reported";
}
