import { InvalidByteSizeError } from "./errors/InvalidByteSizeError.ts";

const unitBytes: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  tb: 1000 ** 4,
};

/**
 * "64MiB", "64 MiB", "1.5GiB", "65536B" → bytes, rounded down to a whole byte. A unit is required: a bare "64" could
 * mean bytes or MiB, and guessing wrong by a factor of a million is worse than asking.
 */
export function parseByteSize(given: string, what = "size"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(given);
  const factor = match ? unitBytes[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined) throw new InvalidByteSizeError(what, given);
  const bytes = Math.floor(Number(match[1]) * factor);
  if (!(bytes > 0)) throw new InvalidByteSizeError(what, given);
  return bytes;
}
