import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";

// The fiber executor under the emulated Metal device (native/metal-check/executor/fibers.h) on small kernels
// (executor/selftest.cpp): lockstep at threadgroup memory, poisoned threadgroup memory, the simd functions, a variable
// declared in threadgroup memory shared by the threadgroup (the sparse path's index kernel counts in one: as a local of
// each thread it wrote wrong index lists), and the aborts that name the kernel (deadlock, divergent simd function,
// Apple's threadgroup limits); simdgroup matrices (strided, transposed and offset loads, products, stores) against the
// same sums done element by element.
async function selftest(name: string, freeRunning = false) {
  const script = join(repoRoot(), "native", "metal-check", "executor-selftest.sh");
  const args = freeRunning ? ["--free-running", name] : [name];
  return execa("bash", [script, ...args], { reject: false, all: true });
}

describe("the fiber executor keeps Metal's semantics", () => {
  it.each(["exchange", "poison", "simd", "declared", "matrix"])("%s: right", async (name) => {
    const run = await selftest(name);
    expect(run.all).toContain(`ok ${name}`);
    expect(run.exitCode).toBe(0);
  });

  it("exchange without lockstep (lanes run free between meeting points) reads unwritten slots", async () => {
    const run = await selftest("exchange", true);
    expect(run.all).toMatch(/wrong exchange: \d+ of 32 lanes/);
    expect(run.exitCode).toBe(1);
  });

  it.each([
    ["deadlock", "deadlock: threads wait at a barrier or simdgroup function that others never reach"],
    ["divergent", "divergent simdgroup function"],
    ["matrix-divergent", "simdgroup_load: lanes of one simdgroup load different tiles"],
    ["big-shared", "more threadgroup memory than Apple GPUs allow (32 KiB)"],
    ["big-declared", "more threadgroup memory than Apple GPUs allow (32 KiB), with the variables the kernel declares"],
    ["big-group", "more threads per threadgroup than Apple GPUs allow (1024)"],
  ])("%s: aborts, naming the kernel", async (name, reason) => {
    const run = await selftest(name);
    expect(run.all).toContain(`msl_exec: ${name}: ${reason}`);
    expect(run.signal).toBe("SIGABRT");
  });
});
