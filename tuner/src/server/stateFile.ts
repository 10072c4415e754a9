import { existsSync, readFileSync, rmSync } from "node:fs";
import { z } from "zod";
import { writeJsonAtomic } from "../util/atomicFile.ts";
import type { ServerState } from "./types.ts";

const serverStateSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65535),
  binaryPath: z.string().min(1),
  modelPath: z.string().min(1),
  profileName: z.string().min(1),
  args: z.array(z.string()),
  startedAt: z.string(),
});

/** server.json: written atomically, so a reader never sees half a state. */
export class ServerStateFile {
  constructor(readonly path: string) {}

  /** The recorded server, or undefined when there is none (or the file is unreadable: nothing we can act on). */
  read(): ServerState | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      return serverStateSchema.parse(JSON.parse(readFileSync(this.path, "utf8")));
    } catch {
      return undefined;
    }
  }

  write(state: ServerState): void {
    writeJsonAtomic(this.path, state);
  }

  remove(): void {
    rmSync(this.path, { force: true });
  }
}
