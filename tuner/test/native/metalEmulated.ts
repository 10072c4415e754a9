import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../src/config.ts";

/** One FLASH_ATTN_EXT decode case as native/metal-check/emulate-fa.sh reports it. */
export interface EmulatedCase {
  ok: boolean;
  k: string;
  v: string;
  headSize: number;
  nKv: number;
  nmse: number;
  dispatches: number;
}

export interface EmulatedRun {
  exitCode: number;
  output: string;
  cases: EmulatedCase[];
}

const caseLine = /^(OK|FAIL) +K=(\S+) V=(\S+) head size (\d+), n_kv (\d+): NMSE (\S+) \(bound \S+\), (\d+) dispatches/;

export function parseEmulatedReport(output: string): EmulatedCase[] {
  return output.split("\n").flatMap((line) => {
    const m = caseLine.exec(line);
    if (!m) return [];
    return [
      {
        ok: m[1] === "OK",
        k: m[2]!,
        v: m[3]!,
        headSize: Number(m[4]),
        nKv: Number(m[5]),
        nmse: Number(m[6]),
        dispatches: Number(m[7]),
      },
    ];
  });
}

/**
 * Runs decode cases (`K/V/head size/KV length`) through ggml-metal's host code on the emulated Metal device, each
 * compared with ggml's CPU backend; `ggmlMetalDir` checks a modified copy of the sources instead of the patched tree.
 */
export async function runEmulatedFlashAttn(cases: readonly string[], ggmlMetalDir?: string): Promise<EmulatedRun> {
  const script = join(repoRoot(), "native", "metal-check", "emulate-fa.sh");
  const args = ggmlMetalDir ? ["--metal-dir", ggmlMetalDir, ...cases] : [...cases];
  const run = await execa("bash", [script, ...args], { reject: false, all: true });
  const output = run.all ?? "";
  return { exitCode: run.exitCode ?? -1, output, cases: parseEmulatedReport(output) };
}
