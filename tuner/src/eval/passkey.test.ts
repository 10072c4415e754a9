import { describe, expect, it } from "vitest";
import { passkeyPrompt, passkeyRetrieved, passkeyText, passkeyTrials } from "./passkey.ts";

describe("passkey prompts", () => {
  const tokens = { prefix: 30, filler: 25, needle: 20, question: 10 };

  it("spreads the trials over the depth with distinct five-digit keys, the same for every setting", () => {
    const trials = passkeyTrials(4096, 4);
    expect(trials.map((t) => t.depth)).toEqual([0.125, 0.375, 0.625, 0.875]);
    expect(new Set(trials.map((t) => t.key)).size).toBe(4);
    expect(trials.every((t) => /^\d{5}$/.test(t.key))).toBe(true);
    expect(passkeyTrials(4096, 4)).toEqual(trials);
    expect(passkeyTrials(8192, 4).map((t) => t.key)).not.toEqual(trials.map((t) => t.key));
  });

  it("fills the length with filler and puts the key at the trial's depth", () => {
    const [early, , , late] = passkeyTrials(4096, 4);
    const prompt = passkeyPrompt(early!, tokens, 16);
    const fillers = Math.floor((4096 - 16 - 30 - 20 - 10) / 25);
    expect(prompt.split(passkeyText.filler).length - 1).toBe(fillers);
    expect(prompt.startsWith(passkeyText.prefix)).toBe(true);
    expect(prompt.endsWith(passkeyText.question)).toBe(true);
    const at = (p: string, key: string) => p.indexOf(passkeyText.needle(key)) / p.length;
    expect(at(prompt, early!.key)).toBeLessThan(0.2);
    expect(at(passkeyPrompt(late!, tokens, 16), late!.key)).toBeGreaterThan(0.8);
  });

  it("counts an answer only when its first number is the key", () => {
    const [trial] = passkeyTrials(4096, 1);
    expect(passkeyRetrieved(trial!, ` ${trial!.key}. Remember`)).toBe(true);
    expect(passkeyRetrieved(trial!, " 12345")).toBe(trial!.key === "12345");
    expect(passkeyRetrieved(trial!, ` the key, ${trial!.key}0`)).toBe(false);
    expect(passkeyRetrieved(trial!, " green")).toBe(false);
  });
});
