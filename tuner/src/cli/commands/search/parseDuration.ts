export class InvalidDurationError extends Error {
  constructor(given: string) {
    super(`invalid duration '${given}': use seconds or a unit, e.g. 900, 15m, 1h30m`);
    this.name = "InvalidDurationError";
  }
}

/** "90", "90s", "15m", "1h30m" → milliseconds. */
export function parseDuration(given: string): number {
  const trimmed = given.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)([hms])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== trimmed) throw new InvalidDurationError(given);
  const unit = { h: 3_600_000, m: 60_000, s: 1000 } as const;
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
  if (ms <= 0) throw new InvalidDurationError(given);
  return ms;
}
