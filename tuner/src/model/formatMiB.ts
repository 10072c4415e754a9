/** K/V sizes for people: MiB with two decimals, the unit the README and the bench table use. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
