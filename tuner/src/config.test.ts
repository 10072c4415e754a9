import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  activeProfilePath,
  appSupportDir,
  cacheDir,
  defaultModelPath,
  benchResultsDir,
  buildInfoPath,
  evalCacheDir,
  evalResultPath,
  evalTextPartsDir,
  evalBaselinePath,
  nativeBinDir,
  nativeToolPath,
  paretoChartBasePath,
  paretoChartPngPath,
  profilePath,
  profilesDir,
  repoRoot,
  searchReportDir,
  searchStudyPath,
  speedCachePath,
  stockNativeBinDir,
  typeProbeDir,
} from "./config.ts";

const home = "/home/ada";

describe("cacheDir", () => {
  it("uses ~/Library/Caches on macOS, whatever XDG says", () => {
    expect(cacheDir({ env: { XDG_CACHE_HOME: "/xdg" }, platform: "darwin", home: "/Users/ada" })).toBe(
      "/Users/ada/Library/Caches/kvsplit",
    );
  });

  it("follows XDG_CACHE_HOME on Linux, else ~/.cache, and ignores a relative XDG path", () => {
    expect(cacheDir({ env: { XDG_CACHE_HOME: "/xdg/cache" }, platform: "linux", home })).toBe("/xdg/cache/kvsplit");
    expect(cacheDir({ env: {}, platform: "linux", home })).toBe("/home/ada/.cache/kvsplit");
    expect(cacheDir({ env: { XDG_CACHE_HOME: "rel" }, platform: "linux", home })).toBe("/home/ada/.cache/kvsplit");
  });

  it("lets KVSPLIT_CACHE_DIR win everywhere, and puts models and eval results under it", () => {
    const context = { env: { KVSPLIT_CACHE_DIR: "/c" }, platform: "darwin" as const, home };
    expect(cacheDir(context)).toBe("/c");
    expect(defaultModelPath(context)).toBe("/c/models/gemma-3-270m-q4_k_m.gguf");
    expect(evalCacheDir(context)).toBe("/c/eval");
  });
});

describe("appSupportDir", () => {
  it("uses Application Support on macOS and XDG_DATA_HOME (or ~/.local/share) elsewhere", () => {
    expect(appSupportDir({ env: {}, platform: "darwin", home: "/Users/ada" })).toBe(
      "/Users/ada/Library/Application Support/kvsplit",
    );
    expect(appSupportDir({ env: { XDG_DATA_HOME: "/data" }, platform: "linux", home })).toBe("/data/kvsplit");
    expect(appSupportDir({ env: {}, platform: "linux", home })).toBe("/home/ada/.local/share/kvsplit");
    expect(appSupportDir({ env: { KVSPLIT_HOME: "/k" }, platform: "linux", home })).toBe("/k");
  });

  it("holds profiles and the active-profile file", () => {
    expect(profilesDir("/k")).toBe("/k/profiles");
    expect(activeProfilePath("/k")).toBe("/k/active-profile.json");
    expect(profilePath("k8v4-tuned", "/k")).toBe("/k/profiles/k8v4-tuned.json");
  });
});

describe("nativeBinDir", () => {
  it("is native/bin in this checkout unless KVSPLIT_NATIVE_BIN says otherwise", () => {
    expect(existsSync(join(repoRoot(), "native", "build.sh"))).toBe(true);
    expect(nativeBinDir({ env: {} })).toBe(join(repoRoot(), "native", "bin"));
    expect(nativeBinDir({ env: { KVSPLIT_NATIVE_BIN: "/opt/kv" } })).toBe("/opt/kv");
  });
});

describe("cache files", () => {
  it("puts eval results, baselines, text parts, search studies and speed points under the cache dir", () => {
    const context = { env: { KVSPLIT_CACHE_DIR: "/c" } };
    expect(evalResultPath("abc", context)).toBe("/c/eval/results/abc.json");
    expect(evalBaselinePath("abc", context)).toBe("/c/eval/baselines/abc.kld");
    expect(evalTextPartsDir(context)).toBe("/c/texts");
    expect(searchStudyPath("abc", context)).toBe("/c/search/abc.json");
    expect(speedCachePath("abc", context)).toBe("/c/speed/abc.json");
  });
});

describe("native and report files", () => {
  it("keeps results and the stock build in the checkout", () => {
    expect(benchResultsDir()).toBe(join(repoRoot(), "bench", "results"));
    expect(stockNativeBinDir()).toBe(join(repoRoot(), "native", "bin-stock"));
  });

  it("keeps the tools, the build record and the type probes in the bin dir", () => {
    expect(nativeToolPath("llama-bench", "/b")).toBe("/b/llama-bench");
    expect(buildInfoPath("/b")).toBe("/b/build-info.json");
    expect(typeProbeDir("/b")).toBe("/b/probe");
  });

  it("writes a search's report and Pareto chart under reports/<profile name> in app support", () => {
    expect(searchReportDir("small", "/k")).toBe("/k/reports/small");
    expect(paretoChartBasePath("small", "/k")).toBe("/k/reports/small/pareto");
    expect(paretoChartPngPath("small", "/k")).toBe("/k/reports/small/pareto.png");
  });
});
