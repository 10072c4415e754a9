import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** sha256 of a whole file, streamed, as lowercase hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/** sha256 of the first `length` bytes of a file, streamed. */
export async function sha256FilePrefix(path: string, length: number): Promise<string> {
  const hash = createHash("sha256");
  if (length > 0) {
    for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) {
      hash.update(chunk as Buffer);
    }
  }
  return hash.digest("hex");
}
