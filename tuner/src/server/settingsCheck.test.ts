import { describe, expect, it } from "vitest";
import type { ModelFacts } from "../model/gguf.ts";
import { ContextBeyondTrainingError } from "./errors/ContextBeyondTrainingError.ts";
import { InvalidServerSettingError } from "./errors/InvalidServerSettingError.ts";
import { checkContextSize, checkThreads, serverContextSize } from "./settingsCheck.ts";

// only the fields the check reads
const trainedFor = (contextLength: number) => ({ contextLength, path: "/models/m.gguf" }) as ModelFacts;

describe("server settings are checked before anything stops", () => {
  it("takes a context from one batch up, as a number or the CLI's string, and refuses the rest by name", () => {
    expect(checkContextSize("512")).toBe(512);
    expect(checkContextSize(4096)).toBe(4096);
    for (const bad of ["1", "0", "-512", "abc", "", "1024.5", 511]) {
      expect(() => checkContextSize(bad)).toThrow(InvalidServerSettingError);
    }
    expect(() => checkContextSize("1")).toThrow("--ctx must be a whole number ≥ 512 (llama-server's batch), got 1");
    expect(checkThreads("2")).toBe(2);
    expect(() => checkThreads("0")).toThrow("--threads must be a whole number ≥ 1, got 0");
  });

  it("caps the default at the training context, refuses a longer one unless asked", () => {
    expect(serverContextSize({}, trainedFor(2048))).toBe(2048);
    expect(serverContextSize({}, trainedFor(8192))).toBe(4096);
    expect(serverContextSize({ contextSize: 8192 }, trainedFor(8192))).toBe(8192);
    expect(() => serverContextSize({ contextSize: 1_000_000_000 }, trainedFor(8192))).toThrow(
      ContextBeyondTrainingError,
    );
    expect(serverContextSize({ contextSize: 16384, contextBeyondTraining: true }, trainedFor(8192))).toBe(16384);
  });
});
