import { describe, expect, it } from "vitest";
import { instructModelPath } from "../config.ts";
import { findBuiltinProfile } from "../profiles/builtins.ts";
import { sampleSearchProfile } from "../profiles/testProfiles.ts";
import { describeLaunchChange, planLaunch, sameLaunch } from "./launchPlan.ts";
import { defaultServerThreads, performanceCores } from "./threads.ts";

const settings = { binaryPath: "/bin/llama-server", modelPath: "/models/m.gguf", port: 9000, contextSize: 2048 };

describe("planLaunch", () => {
  it("binds loopback and appends the profile's cache flags", () => {
    const plan = planLaunch({ ...settings, threads: 2, gpuLayers: 0 }, findBuiltinProfile("k8v4")!);
    expect(plan.args).toEqual([
      ...["-m", "/models/m.gguf", "--host", "127.0.0.1", "--port", "9000", "-c", "2048", "-np", "1"],
      ...["-t", "2", "-ngl", "0", "--alias", "m", "-fa", "on", "-ctk", "q8_0", "-ctv", "q4_0"],
    ]);
    expect(plan.profileName).toBe("k8v4");
  });

  it("leaves a core free by default, and names the model by its file, not its path", () => {
    const plan = planLaunch(settings, findBuiltinProfile("k8v4")!);
    expect(plan.args.join(" ")).toContain(`-t ${defaultServerThreads()} `);
    expect(defaultServerThreads()).toBe(Math.max(1, performanceCores() - 1));
    expect(plan.args.join(" ")).toContain("--alias m ");
  });

  it("passes per-layer types for the model the profile was made for", () => {
    const plan = planLaunch(settings, sampleSearchProfile());
    expect(plan.args.slice(-4)).toEqual([
      "--cache-type-k-layers",
      "q8_0,q8_0,q4_0,q5_1",
      "--cache-type-v-layers",
      "q4_0,q4_0,q4_0,q8_0",
    ]);
  });

  it("gives the default model the gemma template, by name", () => {
    const plan = planLaunch({ ...settings, modelPath: "/c/gemma-3-270m-q4_k_m.gguf" }, findBuiltinProfile("f16")!);
    expect(plan.args.join(" ")).toContain("--no-jinja --chat-template gemma");
    expect(planLaunch(settings, findBuiltinProfile("f16")!).args).not.toContain("--chat-template");
  });

  it("serves the instruct model with its own chat template when no model is set", () => {
    const plan = planLaunch({ binaryPath: "/bin/llama-server", port: 9000 }, findBuiltinProfile("f16")!);
    expect(plan.modelPath).toBe(instructModelPath());
    expect(plan.args.slice(0, 2)).toEqual(["-m", instructModelPath()]);
    expect(plan.args).not.toContain("--chat-template");
    expect(plan.args).not.toContain("--no-jinja");
  });

  it("tells apart plans that differ in any argument", () => {
    const a = planLaunch(settings, findBuiltinProfile("k8v4")!);
    expect(sameLaunch(a, planLaunch(settings, findBuiltinProfile("k8v4")!))).toBe(true);
    expect(sameLaunch(a, planLaunch(settings, findBuiltinProfile("k4v4")!))).toBe(false);
    expect(sameLaunch(a, planLaunch({ ...settings, contextSize: 4096 }, findBuiltinProfile("k8v4")!))).toBe(false);
  });
});

describe("describeLaunchChange", () => {
  it("names the profile and each flag whose value changed, was added or dropped", () => {
    const running = planLaunch({ ...settings, threads: 2 }, findBuiltinProfile("f16")!);
    const wanted = planLaunch(
      { ...settings, threads: 2, contextSize: 4096, gpuLayers: 0 },
      findBuiltinProfile("k8v8")!,
    );
    expect(describeLaunchChange(running, wanted)).toEqual([
      "profile f16 → k8v8",
      "-c 2048 → 4096",
      "-ctk f16 → q8_0",
      "-ctv f16 → q8_0",
      "-ngl 0 (new)",
    ]);
    expect(describeLaunchChange(wanted, wanted)).toEqual([]);
  });
});
