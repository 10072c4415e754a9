import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { writeFileAtomic } from "../util/atomicFile.ts";
import type { LaunchPlan } from "./types.ts";

/** What server.key records besides the key: enough to take a running server back when server.json is lost. */
export interface KeyFileRecord {
  apiKey: string;
  plan: LaunchPlan;
  startedAt: string;
}

const planSchema = z.object({
  binaryPath: z.string(),
  modelPath: z.string(),
  port: z.number().int(),
  profileName: z.string(),
  args: z.array(z.string()),
});
const recordLineSchema = z.object({ plan: planSchema, startedAt: z.string() });
const recordPrefix = "# kvsplit-start ";

/** 256 random bits as hex: what a browser page or another local user cannot guess. */
export function newApiKey(): string {
  return randomBytes(32).toString("hex");
}

/**
 * server.key, owner-only: llama-server reads its key from it (`--api-key-file`, so the key never shows in `ps`) and
 * skips the `#` lines, which record the start so `findServer.ts` can take the server back without server.json.
 */
export function writeKeyFile(path: string, record: KeyFileRecord): void {
  const recordLine = JSON.stringify({ plan: record.plan, startedAt: record.startedAt });
  const content =
    "# KVSplit's llama-server reads its API key from this file; the next line records the start\n" +
    `${recordPrefix}${recordLine}\n${record.apiKey}\n`;
  writeFileAtomic(path, content, { mode: 0o600 });
}

/** The record in server.key, or undefined when the file is missing or not one KVSplit wrote. */
export function readKeyFile(path: string): KeyFileRecord | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, "utf8").split("\n");
  const recordLine = lines.find((line) => line.startsWith(recordPrefix));
  const apiKey = lines.find((line) => /^[0-9a-f]{64}$/.test(line));
  if (recordLine === undefined || apiKey === undefined) return undefined;
  try {
    const { plan, startedAt } = recordLineSchema.parse(JSON.parse(recordLine.slice(recordPrefix.length)));
    return { apiKey, plan, startedAt };
  } catch {
    return undefined;
  }
}
