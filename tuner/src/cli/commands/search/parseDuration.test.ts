import { describe, expect, it } from "vitest";
import { InvalidDurationError, parseDuration } from "./parseDuration.ts";

describe("parseDuration", () => {
  it.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["15m", 900_000],
    ["1h30m", 5_400_000],
  ])("%s", (given, ms) => expect(parseDuration(given)).toBe(ms));

  it.each(["", "m", "15x", "0m", "1h x"])("rejects %j", (given) =>
    expect(() => parseDuration(given)).toThrow(InvalidDurationError),
  );
});
