import { describe, expect, it } from "vitest";
import { printable } from "./printable.ts";

describe("printable", () => {
  it("writes terminal escapes, NUL and carriage returns out, and keeps newlines, tabs and other text", () => {
    expect(printable("\u001b[31mred\u001b[0m\r\u0000ok\n\tü")).toBe("\\x1b[31mred\\x1b[0m\\x0d\\x00ok\n\tü");
  });
});
