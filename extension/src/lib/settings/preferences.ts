import { environment, getPreferenceValues } from "@raycast/api";
import { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import type { ServerSettings } from "@kvsplit/tuner/server/types";
import { defaultAnswerTemperature, defaultMaxAnswerTokens } from "@kvsplit/tuner/client/askDefaults";
import { parseByteSize } from "@kvsplit/tuner/util/byteSize";
import { appSupportDir } from "@kvsplit/tuner/config";
import { moveEarlierState } from "./moveEarlierState";
import { InvalidPreferenceError } from "./InvalidPreferenceError";

export interface ChatSettings {
  systemPrompt?: string;
  maxTokens: number;
  temperature: number;
}

/** Raycast's type generated from package.json (raycast-env.d.ts); every value is text. */
function preferences(): Preferences {
  return getPreferenceValues<Preferences>();
}

/** Empty means "use the default"; anything else must be a whole number. */
function wholeNumber(title: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^\d+$/.test(value.trim())) throw new InvalidPreferenceError(title, value);
  return Number(value.trim());
}

/** Empty means "no limit"; anything else is a size with a unit, e.g. 64MiB. */
function byteSize(title: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  try {
    return parseByteSize(value);
  } catch {
    throw new InvalidPreferenceError(title, value, "a size with a unit, e.g. 64MiB");
  }
}

/** The answer cap: empty means the default; 0 would ask the server for nothing, so it is refused here. */
function answerTokens(value: string | undefined): number {
  const tokens = wholeNumber("Max Answer Tokens", value) ?? defaultMaxAnswerTokens;
  if (tokens < 1) throw new InvalidPreferenceError("Max Answer Tokens", value!, "a whole number of at least 1");
  return tokens;
}

const emptyToUndefined = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

export function serverSettings(): ServerSettings {
  const values = preferences();
  return {
    modelPath: emptyToUndefined(values.modelPath),
    binaryPath: emptyToUndefined(values.llamaServerPath),
    port: wholeNumber("Port", values.port),
    contextSize: wholeNumber("Context Size", values.contextSize),
    kvMemoryBytes: byteSize("K/V Memory Limit", values.kvMemory),
    threads: wholeNumber("Threads", values.threads),
    gpuLayers: wholeNumber("GPU Layers", values.gpuLayers),
  };
}

export function chatSettings(): ChatSettings {
  const values = preferences();
  return {
    systemPrompt: emptyToUndefined(values.systemPrompt),
    maxTokens: answerTokens(values.maxTokens),
    temperature: defaultAnswerTemperature,
  };
}

/**
 * The folder of profiles, active profile and server state: the one `tuner` and `kvsplit` use (Raycast starts from
 * launchd, so no KVSPLIT_HOME of a shell reaches it), unless the "KVSplit Folder" preference names another.
 */
export function supportDir(): string {
  return emptyToUndefined(preferences().supportDir) ?? appSupportDir();
}

/**
 * The server for these preferences, in the folder every front end shares; what an earlier version kept in
 * Raycast's own folder for the extension is moved there first.
 */
export function activeServer(): ActiveServer {
  const dir = supportDir();
  moveEarlierState(environment.supportPath, dir);
  return new ActiveServer(dir, serverSettings());
}
