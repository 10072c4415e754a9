import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";

// A long-running server's log grows; the tail is all we ever show.
const tailBytes = 64 * 1024;

/** The last `count` non-empty lines of a log file; empty when the file does not exist. */
export function readLogTail(path: string, count = 15): string[] {
  if (!existsSync(path)) return [];
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString("utf8").split("\n");
    if (length < size) lines.shift(); // the first line was cut by the window
    return lines.filter((line) => line.trim() !== "").slice(-count);
  } finally {
    closeSync(fd);
  }
}
