import { describe, expect, it } from "vitest";
import { kvTypeSchema } from "../profiles/schema.ts";
import { kvBitsList, kvTypeFromBits } from "./kvFlags.ts";

describe("--kvq-key / --kvq-val bit widths", () => {
  it("map 3 and 2 bits to the low-bit types, as the native --kvq flags do", () => {
    expect(kvTypeFromBits("--kvq-val", 3)).toBe("iq3_nl");
    expect(kvTypeFromBits("--kvq-val", "2")).toBe("iq2_nl");
    expect(kvTypeFromBits("--kvq-key", 8)).toBe("q8_0");
  });

  it("list every width, widest first, in the help and in the refusal", () => {
    expect(kvBitsList).toBe("16, 8, 6, 5, 4, 3, 2");
    expect(() => kvTypeFromBits("--kvq-key", 7)).toThrow(
      "invalid value for --kvq-key: '7' (valid bit widths: 16 (f16), 8 (q8_0), 6 (q5_1), 5 (q5_0), 4 (q4_0), 3 (iq3_nl), 2 (iq2_nl))",
    );
  });

  it("name only types the profile schema accepts", () => {
    for (const width of kvBitsList.split(", "))
      expect(kvTypeSchema.parse(kvTypeFromBits("--kvq-key", width))).toBeTruthy();
  });
});
