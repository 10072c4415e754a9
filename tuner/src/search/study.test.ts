import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StudyMismatchError, StudyStore, type Study } from "./study.ts";

const study = (key: string): Study => ({
  version: 2,
  key,
  description: "test",
  groups: [[0], [1]],
  targetCtx: 8192,
  trials: [
    {
      number: 0,
      origin: "uniform",
      assignment: { k: ["q8_0", "q8_0"], v: ["q4_0", "q4_0"] },
      bytes: 1000,
      chunks: 2,
      deltaPpl: 0.1,
      deltaPplPct: 0.5,
      deltaPplPctInterval: [-0.5, 1.5],
      meanKld: 0.01,
      meanKldInterval: [0.009, 0.011],
      top1Agreement: 0.95,
      pplBase: 20,
      measuredBytes: 500,
      wallMs: 10,
      decision: {
        chunks: 16,
        deltaPpl: 0.08,
        deltaPplPct: 0.4,
        deltaPplPctInterval: [0.1, 0.7],
        meanKld: 0.0102,
        meanKldInterval: [0.0098, 0.0106],
        top1Agreement: 0.95,
        pplBase: 20,
        wallMs: 80,
      },
      finishedAt: "2026-01-01T00:00:00Z",
    },
  ],
});

describe("StudyStore", () => {
  it("round-trips a study and leaves no temp file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-study-"));
    const store = new StudyStore(join(dir, "s.json"));
    expect(store.load("abc")).toBeUndefined();
    store.save(study("abc"));
    expect(store.load("abc")).toEqual(study("abc"));
    expect(readdirSync(dir)).toEqual(["s.json"]);
  });

  it("refuses to resume another search's study", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-study-"));
    const store = new StudyStore(join(dir, "s.json"));
    store.save(study("abc"));
    expect(() => store.load("xyz")).toThrow(StudyMismatchError);
    // the advice names a flag tuner search has
    expect(() => store.load("xyz")).toThrow(/run with --no-resume to start over/);
  });

  it("treats a corrupt study as an error, not as an empty one", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-study-"));
    writeFileSync(join(dir, "s.json"), '{"version":1,"key":"abc","trials":[{"number":');
    expect(() => new StudyStore(join(dir, "s.json")).load("abc")).toThrow();
  });
});
