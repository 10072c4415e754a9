/**
 * What every managed start adds to the launch plan: the key file, and no browser origin at all (KVSplit's CLI and
 * the Raycast extension send no Origin header; a web page always does). Needs native patch 0011 for
 * --refuse-other-origins; an empty --cors-origins allows none and sends no Access-Control-Allow-Origin.
 */
export function accessArgs(keyFilePath: string): string[] {
  return ["--api-key-file", keyFilePath, "--cors-origins", "", "--no-cors-credentials", "--refuse-other-origins"];
}

/** The command line as `ps -o args=` prints it (arguments joined by single spaces). */
export function commandLine(binaryPath: string, args: readonly string[]): string {
  return [binaryPath, ...args].join(" ");
}
