import { mkdirSync, mkdtempSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serverLockPath } from "../config.ts";
import { ServerBusyError } from "./errors/ServerBusyError.ts";
import { withServerLock } from "./serverLock.ts";

const newSupportDir = () => mkdtempSync(join(tmpdir(), "kvsplit-lock-"));

describe("withServerLock", () => {
  it("runs one holder at a time: the second waits, says so once, and runs after the first", async () => {
    const supportDir = newSupportDir();
    const events: string[] = [];
    let release!: () => void;
    const first = withServerLock(supportDir, { timeoutMs: 10_000 }, async () => {
      events.push("first in");
      await new Promise<void>((resolve) => (release = resolve));
      events.push("first out");
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = withServerLock(supportDir, { timeoutMs: 10_000, onWait: () => events.push("waiting") }, async () => {
      events.push("second in");
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    await Promise.all([first, second]);
    expect(events).toEqual(["first in", "waiting", "first out", "second in"]);
  });

  it("takes over a lock whose holder died (not refreshed for longer than 10 s), and gives up on a live one", async () => {
    const supportDir = newSupportDir();
    mkdirSync(serverLockPath(supportDir));
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(serverLockPath(supportDir), minuteAgo, minuteAgo);
    expect(await withServerLock(supportDir, { timeoutMs: 1_000 }, async () => "ran")).toBe("ran");

    const held = newSupportDir();
    mkdirSync(serverLockPath(held)); // fresh: another command holds it right now
    await expect(withServerLock(held, { timeoutMs: 600 }, async () => "ran")).rejects.toBeInstanceOf(ServerBusyError);
  });
});
