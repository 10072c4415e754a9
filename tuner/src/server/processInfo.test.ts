import { spawn, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  isProcessAlive,
  isSameProcess,
  processStartTime,
  readProcess,
  startTimeDate,
  waitUntil,
} from "./processInfo.ts";

// Real processes (a Node that only waits), whose argv and start time ps and /proc report as they do for llama-server.
const children: ChildProcess[] = [];
const wait = "setTimeout(() => {}, 600_000)";

async function sleeper(...args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", wait, ...args], { stdio: "ignore" });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  return child;
}

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

describe("process identity: exact argv and start time, never a substring", () => {
  it("matches the process exactly as it was recorded", async () => {
    const child = await sleeper();
    const startTime = await processStartTime(child.pid!);
    expect(startTime).toMatch(/^\w{3} \w{3} \d{1,2} \d{2}:\d{2}:\d{2} \d{4}$/);
    // ps counts whole seconds in UTC here
    expect(Math.abs(startTimeDate(startTime!).getTime() - Date.now())).toBeLessThan(60_000);
    expect(await isSameProcess(child.pid!, { argv: [process.execPath, "-e", wait], startTime: startTime! })).toBe(true);
  });

  it("refuses another start time, a longer or shorter argv, and one that only contains the expected words", async () => {
    const child = await sleeper("/opt/llama-server-my-notes.txt");
    const startTime = (await processStartTime(child.pid!))!;
    const argv = [process.execPath, "-e", wait, "/opt/llama-server-my-notes.txt"];
    expect(await isSameProcess(child.pid!, { argv, startTime })).toBe(true);
    expect(await isSameProcess(child.pid!, { argv, startTime: "Thu Jan 1 00:00:00 1970" })).toBe(false);
    expect(await isSameProcess(child.pid!, { argv: [process.execPath, "-e", wait], startTime })).toBe(false);
    expect(await isSameProcess(child.pid!, { argv: [...argv, "--port"], startTime })).toBe(false);
    expect(await isSameProcess(child.pid!, { argv: ["/opt/llama-server"], startTime })).toBe(false);
  });

  it('keeps an empty argument as one (llama-server gets --cors-origins "")', async () => {
    const child = await sleeper("", "x");
    const facts = await readProcess(child.pid!);
    if (facts?.argv === undefined) return; // no exact argv outside Linux: the joined command line is compared
    expect(facts.argv).toEqual([process.execPath, "-e", wait, "", "x"]);
  });

  it("calls a process that exited gone, and a pid nobody has not a process", async () => {
    const child = await sleeper();
    const identity = { argv: [process.execPath, "-e", wait], startTime: (await processStartTime(child.pid!))! };
    child.kill("SIGKILL");
    expect(await waitUntil(async () => !(await isSameProcess(child.pid!, identity)), 5_000)).toBe(true);
    expect(await readProcess(-1)).toBeUndefined();
    expect(await isProcessAlive(2 ** 22 + 12_345)).toBe(false);
  });
});
