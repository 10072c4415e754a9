import { kvTypeSchema, type KvType, type Profile } from "../profiles/schema.ts";
import { InvalidKvBitsError } from "./errors/InvalidKvBitsError.ts";
import { InvalidKvTypeError } from "./errors/InvalidKvTypeError.ts";

/** KVSplit's shorthand, the same table the native --kvq flags use. */
const typeByBits: Record<string, KvType> = {
  "16": "f16",
  "8": "q8_0",
  "6": "q5_1",
  "5": "q5_0",
  "4": "q4_0",
  "3": "iq3_nl",
  "2": "iq2_nl",
};

const widestFirst = Object.keys(typeByBits).sort((a, b) => Number(b) - Number(a));

/** The bit widths `--kvq-key/--kvq-val` take, as their help lists them: "16, 8, 6, 5, 4, 3, 2". */
export const kvBitsList = widestFirst.join(", ");

/** `--k q8_0`, `--types q8_0,q4_0`: one cache type name, refused naming the flag and the allowed names. */
export function parseKvType(flag: string, given: string): KvType {
  const parsed = kvTypeSchema.safeParse(given);
  if (!parsed.success) throw new InvalidKvTypeError(flag, given);
  return parsed.data;
}

/** `--kvq-key 8`: a bit width, refused naming the flag and the allowed widths. */
export function kvTypeFromBits(flag: string, bits: string | number): KvType {
  const type = typeByBits[String(bits)];
  if (!type) {
    const valid = widestFirst.map((width) => `${width} (${typeByBits[width]})`).join(", ");
    throw new InvalidKvBitsError(flag, String(bits), valid);
  }
  return type;
}

/** An unsaved uniform profile for `--k/--v` or `--kvq-key/--kvq-val`. */
export function uniformProfile(k: KvType, v: KvType): Profile {
  return {
    schemaVersion: 1,
    name: `k-${k}-v-${v}`.replaceAll(".", "-"),
    createdAt: new Date().toISOString(),
    source: "manual",
    cache: { mode: "uniform", k, v },
  };
}
