import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/** A temp path next to `path`: same directory, so the final rename is atomic. */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

export interface AtomicWriteOptions {
  /** file permissions, e.g. 0o600 for a secret (the umask can only narrow them). Defaults to 0o666. */
  mode?: number;
}

/**
 * Writes a file so that readers see either the old content or the new one, never half of it,
 * and a crash (or kill -9) leaves at most a stray temp file: temp file, fsync, rename.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempPathFor(path);
  try {
    // the mode applies from the first byte: a secret is never readable by others, not even in the temp file
    const fd = openSync(temp, "w", options.mode ?? 0o666);
    try {
      // write(2) may write less than asked (a file-size limit, a full disk): go on until all is written or it throws
      const bytes = typeof content === "string" ? Buffer.from(content) : content;
      for (let written = 0; written < bytes.length;) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

export function writeJsonAtomic(path: string, value: unknown, options: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, options);
}
