import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { fileURLToPath, URL } from "node:url";

/**
 * Every path KVSplit reads or writes, and every env var that moves one (docs/design.md, "Paths").
 * Each function takes the environment, platform and home directory as optional arguments,
 * so tests can check the macOS and Linux rules without faking the OS.
 */
export interface PathContext {
  /** Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to `process.platform`. */
  platform?: NodeJS.Platform;
  /** Defaults to `os.homedir()`. */
  home?: string;
}

/** Where the built llama.cpp tools are linked. */
export const nativeBinDirEnvVar = "KVSPLIT_NATIVE_BIN";
/** Cache root: native builds, models, eval results. */
export const cacheDirEnvVar = "KVSPLIT_CACHE_DIR";
/** App-support root: profiles, server state, logs. */
export const appSupportDirEnvVar = "KVSPLIT_HOME";

const appDirName = "kvsplit";

/** The repository checkout this file lives in (tuner/src/config.ts → two levels up). */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url)).replace(/[\\/]$/, "");
}

/** Committed results: bench reports, search runs (with the profiles the README names), their logs. */
export function benchResultsDir(): string {
  return join(repoRoot(), "bench", "results");
}

/** `native/build.sh --stock` links unpatched llama.cpp here, for the stock-vs-patched comparison. */
export function stockNativeBinDir(): string {
  return join(repoRoot(), "native", "bin-stock");
}

/** native/build.sh records where it linked the binaries, for code that runs outside the checkout (a Raycast bundle). */
export function nativeBinRecordPath(context?: PathContext): string {
  return join(appSupportDir(context), "native-bin");
}

/** One native tool (`llama-server`, `llama-bench`, ...) in `binDir`. */
export function nativeToolPath(tool: string, binDir: string = nativeBinDir()): string {
  return join(binDir, tool);
}

/** What native/build.sh records about the build it linked into `binDir` (tag, patch hash, options). */
export function buildInfoPath(binDir: string = nativeBinDir()): string {
  return join(binDir, "build-info.json");
}

/** Which K/V type pairs a build runs on its device: a property of the build, so it lives next to the binaries. */
export function typeProbeDir(binDir: string = nativeBinDir()): string {
  return join(binDir, "probe");
}

export function nativeBinDir({ env = process.env, ...rest }: PathContext = {}): string {
  const override = nonEmpty(env[nativeBinDirEnvVar]);
  if (override) return override;
  // bundled code has no import.meta.url, and so no checkout around it
  if (import.meta.url) return join(repoRoot(), "native", "bin");
  const record = nativeBinRecordPath({ env, ...rest });
  return existsSync(record) ? readFileSync(record, "utf8").trim() : join("native", "bin");
}

export function cacheDir(context: PathContext = {}): string {
  return appDir(context, {
    overrideVar: cacheDirEnvVar,
    macOsParent: ["Library", "Caches"],
    xdgVar: "XDG_CACHE_HOME",
    xdgDefault: [".cache"],
  });
}

export function appSupportDir(context: PathContext = {}): string {
  return appDir(context, {
    overrideVar: appSupportDirEnvVar,
    macOsParent: ["Library", "Application Support"],
    xdgVar: "XDG_DATA_HOME",
    xdgDefault: [".local", "share"],
  });
}

/** Where one of KVSplit's directories lives: the override env var, else the platform's convention. */
interface AppDirRule {
  overrideVar: string;
  /** under the home directory */
  macOsParent: string[];
  xdgVar: string;
  /** under the home directory, when the XDG variable is unset */
  xdgDefault: string[];
}

function appDir({ env = process.env, platform = process.platform, home = homedir() }: PathContext, rule: AppDirRule) {
  const override = nonEmpty(env[rule.overrideVar]);
  if (override) return override;
  if (platform === "darwin") return join(home, ...rule.macOsParent, appDirName);
  return join(xdgBase(env[rule.xdgVar]) ?? join(home, ...rule.xdgDefault), appDirName);
}

export function nativeBuildCacheDir(context?: PathContext): string {
  return join(cacheDir(context), "native");
}

export function modelsDir(context?: PathContext): string {
  return join(cacheDir(context), "models");
}

export function evalCacheDir(context?: PathContext): string {
  return join(cacheDir(context), "eval");
}

/** One cached evaluation result (perplexity, KLD, K/V report of one setting), by its cache key. */
export function evalResultPath(key: string, context?: PathContext): string {
  return join(evalCacheDir(context), "results", `${key}.json`);
}

export function evalBaselinesDir(context?: PathContext): string {
  return join(evalCacheDir(context), "baselines");
}

/** The f16 logits every KL-divergence of one setup is measured against, by the setup's cache key. */
export function evalBaselinePath(key: string, context?: PathContext): string {
  return join(evalBaselinesDir(context), `${key}.kld`);
}

/** The parts an eval text is split into (the search's half and the confirmation's half). */
export function evalTextPartsDir(context?: PathContext): string {
  return join(cacheDir(context), "texts");
}

/** One search study (every trial, so a killed search resumes), by the search's key. */
export function searchStudyPath(key: string, context?: PathContext): string {
  return join(cacheDir(context), "search", `${key}.json`);
}

/** llama-bench points of one setting, cached for --min-speed, by their key. */
export function speedCachePath(key: string, context?: PathContext): string {
  return join(cacheDir(context), "speed", `${key}.json`);
}

export const defaultModelFileName = "gemma-3-270m-q4_k_m.gguf";

export function defaultModelPath(context?: PathContext): string {
  return join(modelsDir(context), defaultModelFileName);
}

/** SmolLM2 135M Instruct: an instruction-tuned model with its own chat template, the one `kvsplit ask` serves. */
export const instructModelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf";

export function instructModelPath(context?: PathContext): string {
  return join(modelsDir(context), instructModelFileName);
}

/**
 * Profiles live under the app-support directory, which the CLI, the Raycast extension and the Alfred workflow
 * share (the extension's "KVSplit Folder" preference can name another, passed as `supportDir`).
 */
export function profilesDir(supportDir: string = appSupportDir()): string {
  return join(supportDir, "profiles");
}

/** One saved profile. */
export function profilePath(name: string, supportDir: string = appSupportDir()): string {
  return join(profilesDir(supportDir), `${name}.json`);
}

export function activeProfilePath(supportDir: string = appSupportDir()): string {
  return join(supportDir, "active-profile.json");
}

export function serverStatePath(supportDir: string = appSupportDir()): string {
  return join(supportDir, "server.json");
}

export function serverLogPath(supportDir: string = appSupportDir()): string {
  return join(supportDir, "server.log");
}

/** The managed server's API key, which llama-server reads at start (`--api-key-file`); owner-only. */
export function serverKeyPath(supportDir: string = appSupportDir()): string {
  return join(supportDir, "server.key");
}

/** Held while a command starts, stops or switches the server, so two commands never race for the port. */
export function serverLockPath(supportDir: string = appSupportDir()): string {
  return join(supportDir, "server.lock");
}

/** What `tuner search` writes for each profile it saves: report.md, study.json and the Pareto chart. */
export function searchReportDir(profileName: string, supportDir: string = appSupportDir()): string {
  return join(supportDir, "reports", profileName);
}

/** The Pareto chart's file name in a report folder, without its extension. */
export const paretoChartName = "pareto";

/** The Pareto chart's path without its extension: the search writes `.svg` and `.png` beside each other. */
export function paretoChartBasePath(profileName: string, supportDir: string = appSupportDir()): string {
  return join(searchReportDir(profileName, supportDir), paretoChartName);
}

/** The chart the extension shows with a profile. */
export function paretoChartPngPath(profileName: string, supportDir: string = appSupportDir()): string {
  return `${paretoChartBasePath(profileName, supportDir)}.png`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value != null && value !== "" ? value : undefined;
}

// The XDG spec says relative values are invalid and must be ignored.
function xdgBase(value: string | undefined): string | undefined {
  const base = nonEmpty(value);
  return base != null && isAbsolute(base) ? base : undefined;
}
