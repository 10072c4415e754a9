import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readHistoryFile } from "./historyFile.ts";

describe("readHistoryFile (kvsplit ask --history)", () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsplit-history-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (content: string) => {
    const path = join(dir, `history-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, content);
    return path;
  };
  const turn = [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello!" },
  ];

  it("reads questions and answers taking turns", () => {
    expect(readHistoryFile(file(JSON.stringify(turn)))).toEqual(turn);
    expect(readHistoryFile(file("[]"))).toEqual([]);
  });

  it.each([
    ["missing", undefined, "cannot be read (ENOENT)"],
    ["not JSON", "[{", "is not JSON"],
    ["a system line", JSON.stringify([{ role: "system", content: "x" }, ...turn]), "does not match"],
    ["an answer first", JSON.stringify([turn[1], turn[0]]), "message 1 is out of turn"],
    ["a question without its answer", JSON.stringify([...turn, turn[0]]), "the last question has no answer"],
  ])("refuses a file %s, saying what it expected", (_, content, problem) => {
    const path = content === undefined ? join(dir, "none.json") : file(content);
    expect(() => readHistoryFile(path)).toThrow(`--history ${path}: ${problem}`);
    expect(() => readHistoryFile(path)).toThrow(/expected a JSON array of \{"role": "user" \| "assistant"/);
  });
});
