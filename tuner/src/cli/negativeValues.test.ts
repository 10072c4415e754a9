import { describe, expect, it } from "vitest";
import { joinNegativeValues } from "./negativeValues.ts";

describe("joinNegativeValues", () => {
  it("joins a negative value that is not a plain number to its flag, and leaves everything else alone", () => {
    expect(joinNegativeValues(["search", "--budget", "-1%", "--trials", "-5", "-h"])).toEqual([
      "search",
      "--budget=-1%",
      "--trials",
      "-5",
      "-h",
    ]);
    expect(joinNegativeValues(["--kv-memory", "-.5MiB", "--", "--x", "-1%"])).toEqual([
      "--kv-memory=-.5MiB",
      "--",
      "--x",
      "-1%",
    ]);
    expect(joinNegativeValues(["--budget=2%", "-1%"])).toEqual(["--budget=2%", "-1%"]);
  });
});
