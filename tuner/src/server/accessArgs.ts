import type { LaunchPlan } from "./types.ts";

/**
 * What every managed start adds to the launch plan: the key file, and no browser origin at all (KVSplit's CLI and
 * the Raycast extension send no Origin header; a web page always does). Needs native patch 0011 for
 * --refuse-other-origins; an empty --cors-origins allows none and sends no Access-Control-Allow-Origin.
 */
export function accessArgs(keyFilePath: string): string[] {
  return ["--api-key-file", keyFilePath, "--cors-origins", "", "--no-cors-credentials", "--refuse-other-origins"];
}

/** The exact argv of the managed server for `plan`: what it is started with and recognised by. */
export function serverArgv(plan: Pick<LaunchPlan, "binaryPath" | "args">, keyFilePath: string): string[] {
  return [plan.binaryPath, ...plan.args, ...accessArgs(keyFilePath)];
}
