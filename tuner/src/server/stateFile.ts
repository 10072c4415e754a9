import { existsSync, readFileSync, rmSync } from "node:fs";
import { z } from "zod";
import { writeJsonAtomic } from "../util/atomicFile.ts";
import type { ServerState } from "./types.ts";

const serverStateSchema = z.object({
  pid: z.number().int().positive(),
  // a record without it (an older KVSplit's) cannot prove who its pid is: the server is found again by server.key
  processStartTime: z.string().min(1),
  keyFilePath: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535),
  binaryPath: z.string().min(1),
  modelPath: z.string().min(1),
  profileName: z.string().min(1),
  args: z.array(z.string()),
  startedAt: z.string(),
  apiKey: z.string().regex(/^[0-9a-f]{64}$/),
});

/** server.json: written atomically and owner-only (it holds the API key), so a reader never sees half a state. */
export class ServerStateFile {
  constructor(readonly path: string) {}

  /**
   * The recorded server, or undefined when there is none or the file is unreadable; the server it named is then
   * found again by its command line (see findServer.ts), so a damaged file never orphans a running server.
   */
  read(): ServerState | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      return serverStateSchema.parse(JSON.parse(readFileSync(this.path, "utf8")));
    } catch {
      return undefined;
    }
  }

  write(state: ServerState): void {
    writeJsonAtomic(this.path, state, { mode: 0o600 });
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
