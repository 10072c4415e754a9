/**
 * yargs reads `--budget -1%` as the flag --budget followed by the short flags -1 and -%, and says "Unknown
 * arguments". A value that starts with a minus and a digit but is not a plain number (yargs reads those) is joined
 * to the long flag before it (`--budget=-1%`), so that option's own check says what is wrong with it.
 */
export function joinNegativeValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg === "--") return [...joined, ...args.slice(i)];
    if (/^--[^=]+$/.test(arg) && next !== undefined && /^-\.?\d/.test(next) && !/^-\d+(\.\d+)?$/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else {
      joined.push(arg);
    }
  }
  return joined;
}
