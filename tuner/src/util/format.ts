// Numbers for people, shared by the CLI and the Raycast extension.

/** "253,113,024 B" is exact but unreadable; sizes for people use binary units with two decimals. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/** K/V sizes for people: MiB with two decimals, the unit the README and the bench table use. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** A change in percent with its sign: "+0.42%", "-56%". */
export function formatSignedPercent(value: number, digits = 1): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(digits)}%`;
}
