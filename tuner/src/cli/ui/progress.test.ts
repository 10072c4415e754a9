import cliProgress from "cli-progress";
import { describe, expect, it } from "vitest";
import { formatEta } from "./progress.ts";

// the padding cli-progress gives its time format by default
const options = { autopaddingChar: " " } as cliProgress.Options;

describe("progress bar ETA", () => {
  it("says 'unknown' before the first step is timed, where cli-progress alone prints 'NFs'", () => {
    // what cli-progress hands the time format at the first trial, and what it makes of it
    expect(cliProgress.Format.TimeFormat("INF" as never, options, 5)).toBe("NFs");
    expect(formatEta("INF", options, 5)).toBe("unknown");
    expect(formatEta("NULL", options, 5)).toBe("unknown");
  });

  it("formats a known ETA as cli-progress does", () => {
    expect(formatEta(75, options, 5)).toBe(cliProgress.Format.TimeFormat(75, options, 5));
    expect(formatEta(9, options, 1)).toBe(" 9s");
  });
});
