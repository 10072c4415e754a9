import { nativeBinDir } from "@kvsplit/tuner/config";
import {
  attnFallbackAdvice,
  describeAttention,
  formatLayerRanges,
  shortAttention,
  summarizeAttention,
  type AttentionSummary,
} from "@kvsplit/tuner/native/attnPlacement";
import { BuildInfoMissingError, readBuildInfo } from "@kvsplit/tuner/native/buildInfo";
import { profileAttnFallback } from "@kvsplit/tuner/profiles/profileAttnFallback";
import type { Profile } from "@kvsplit/tuner/profiles/schema";
import { probedPairs } from "@kvsplit/tuner/search/probeTypes";
import type { ServerStatus } from "@kvsplit/tuner/server/types";
import { dirname } from "node:path";

/** Where a profile's attention runs on this machine, in a few words and in full, and how we know. */
export interface AttentionNote {
  fallback: boolean;
  short: string;
  detail: string;
  /** the running server's /props for the active profile; the pair probe of this build for the others */
  source: "running server" | "pair probe";
}

/** The running server's placement (its /props), undefined while it is not running or reports none. */
export function serverAttention(status: ServerStatus | undefined): AttentionSummary | undefined {
  if (status?.state !== "running" || !status.kvCache) return undefined;
  return summarizeAttention(status.kvCache.layers);
}

export function noteFromServer(summary: AttentionSummary): AttentionNote {
  return {
    fallback: summary.state === "fallback",
    short: shortAttention(summary),
    detail: describeAttention(summary),
    source: "running server",
  };
}

/**
 * For a profile that is not running: the layers whose K/V pair the pair probe of this build (`tuner search` runs
 * it, per build and model) saw run attention on the CPU. Undefined when no probe knows of a fallback: pairs never
 * probed are not guessed.
 */
export function noteFromProbe(profile: Profile, binaryPath: string | undefined): AttentionNote | undefined {
  // build-info.json sits next to the binaries, so the binary the server runs names the build
  const binDir = binaryPath ? dirname(binaryPath) : nativeBinDir();
  let build;
  try {
    build = readBuildInfo(binDir);
  } catch (error) {
    if (error instanceof BuildInfoMissingError) return undefined; // a stock or unbuilt llama.cpp: nothing probed
    throw error;
  }
  const fallback = profileAttnFallback(profile, probedPairs(build, binDir, profile.model?.headerHash).cpuFallback);
  if (!fallback) return undefined;
  const layers = fallback.layers === "all" ? "every layer" : `layers ${formatLayerRanges(fallback.layers)}`;
  return {
    fallback: true,
    short: `CPU for ${layers}`,
    detail:
      `${layers} would run attention on the CPU on this machine: this build has no GPU kernel for K/V ` +
      `${fallback.pairs.join(", ")} (seen by the pair probe); ${attnFallbackAdvice([])}`,
    source: "pair probe",
  };
}
