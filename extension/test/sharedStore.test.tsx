import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { execa } from "execa";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import { ProfileStore } from "@kvsplit/tuner/profiles/store";
import { ServerManager } from "@kvsplit/tuner/server/ServerManager";
import { activeProfile, planLaunch } from "@kvsplit/tuner/server/launchPlan";
import AskLocalModel from "../src/ask-local-model.tsx";
import ChoosePrecisionProfile from "../src/choose-precision-profile.tsx";
import { serverSettings } from "../src/lib/settings/preferences.ts";
import { movedMarkerName } from "../src/lib/settings/moveEarlierState.ts";
import { fakeRaycast, NavigationRoot } from "./raycast-api-fake/index.tsx";
import { useTestServer } from "./support/testServer.ts";
import { launchedCommandsDone, launchMenuBar } from "./support/launchMenuBar.tsx";
import { runScriptFilter } from "../../tuner/test/alfred/runScriptFilter.ts";

// jsdom replaces the global URL, which config.ts's repoRoot() cannot turn into a path
const repo = join(__dirname, "..", "..");
const tunerBin = join(repo, "tuner", "bin", "tuner.mjs");
const kvsplitBin = join(repo, "tuner", "bin", "kvsplit.mjs");

const show = (command: ReactNode) => render(<NavigationRoot>{command}</NavigationRoot>);
const menuItem = (name: string | RegExp) => screen.getByRole("menuitem", { name });
const metadata = (title: string) => screen.getByLabelText(title, { selector: "dd" }).textContent;

interface StatusJson {
  state: string;
  server?: { pid: number; profileName: string; apiKey?: string };
}

describe("one store and one server for Raycast, the terminal and Alfred (real tuner, kvsplit, llama-server)", () => {
  const testServer = useTestServer();
  // the terminal as a user has it: the same environment as this process (XDG_DATA_HOME set, no KVSPLIT_HOME)
  const serverFlags = () => {
    const { port, preferences } = testServer();
    return ["--port", String(port), "--ctx", "1024", "--threads", "2", "--server-bin", preferences.llamaServerPath!];
  };
  const kvsplit = (...args: string[]) => execa("node", [kvsplitBin, ...args], { reject: false });
  const statusJson = async (): Promise<StatusJson> => {
    const result = await kvsplit("server", "status", "--json", ...serverFlags());
    return JSON.parse(result.stdout) as StatusJson;
  };

  it("a profile saved by the real tuner CLI is listed by Choose Precision Profile and served by Ask; kvp lists it", async () => {
    const file = join(testServer().home, "from-terminal.json");
    const profile = {
      schemaVersion: 1,
      name: "from-terminal",
      createdAt: "2026-12-01T12:00:00.000Z",
      source: "manual",
      cache: { mode: "uniform", k: "q8_0", v: "q8_0" },
    };
    writeFileSync(file, JSON.stringify(profile));
    const imported = await execa("node", [tunerBin, "profiles", "import", file], { reject: false });
    expect(imported.exitCode, imported.stderr).toBe(0);

    show(<ChoosePrecisionProfile />);
    const saved = await screen.findByRole("region", { name: "Saved" }, { timeout: 20_000 });
    const item = await within(saved).findByRole("listitem", { name: "from-terminal" }, { timeout: 20_000 });
    fireEvent.click(within(item).getByRole("button", { name: "Set as Active" }));
    await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("Active profile: from-terminal"));
    cleanup();

    show(<AskLocalModel arguments={{ prompt: "Say hi." }} launchType={"userInitiated" as never} />);
    await waitFor(() => expect(screen.getByRole("article").getAttribute("aria-busy")).toBe("false"), {
      timeout: 60_000,
    });
    await waitFor(() => expect(metadata("Profile")).toBe("from-terminal"));
    const status = await statusJson();
    expect(status).toMatchObject({ state: "running", server: { profileName: "from-terminal" } });
    expect(status.server!.apiKey).toBeUndefined(); // the key is a secret: never printed

    const listed = await runAlfredFilter("kvp", testServer().port);
    const entry = listed.items.find((candidate) => candidate.uid === "from-terminal");
    expect(entry?.subtitle).toMatch(/^active · K q8_0, V q8_0/);
    expect((await kvsplit("server", "stop")).stdout).toBe("stopped llama-server");
  });

  it("a server started by kvsplit server start is the one the menu bar shows and stops", async () => {
    const started = await kvsplit("server", "start", ...serverFlags());
    expect(started.exitCode, started.stderr).toBe(0);
    expect((await statusJson()).state).toBe("running");

    launchMenuBar();
    await waitFor(() => menuItem("Running"), { timeout: 20_000 });
    fireEvent.click(menuItem("Stop Server"));
    await launchedCommandsDone();
    expect(fakeRaycast.toasts.at(-1)?.title).toBe("llama-server stopped");
    expect(await statusJson()).toEqual({ state: "stopped", logPath: testServer().manager.logPath });
  });

  it("a server the menu bar starts is the one kvsplit server status shows and kvsplit server stop stops", async () => {
    launchMenuBar();
    await waitFor(() => menuItem("Stopped"), { timeout: 20_000 });
    fireEvent.click(menuItem("Start Server"));
    await launchedCommandsDone();
    expect(fakeRaycast.toasts.at(-1)?.title).toBe("llama-server is ready");
    const status = await statusJson();
    const chosen = new ProfileStore(testServer().supportDir).activeProfileName() ?? "f16";
    expect(status).toMatchObject({ state: "running", server: { profileName: chosen } });

    expect((await kvsplit("server", "stop")).stdout).toBe("stopped llama-server");
    cleanup();
    launchMenuBar();
    await waitFor(() => menuItem("Stopped"), { timeout: 20_000 });
  });

  it("moves what an earlier version kept in Raycast's own folder, once, and finds the server it started", async () => {
    const { raycastSupportPath, supportDir } = testServer();
    const shared = new ProfileStore(supportDir);
    const mine = { schemaVersion: 1 as const, createdAt: "2026-11-01T12:00:00.000Z", source: "manual" as const };
    // the terminal's own choice, made before this version of the extension ran
    shared.save({ ...mine, name: "from-terminal", cache: { mode: "uniform", k: "q8_0", v: "q8_0" } });
    shared.setActiveProfile("from-terminal");
    // an earlier version: its own profile store and a running server, all in environment.supportPath
    const earlier = new ProfileStore(raycastSupportPath);
    earlier.save({ ...mine, name: "raycast-only", cache: { mode: "uniform", k: "q8_0", v: "q4_0" } });
    // a name the shared store has with other content: both are kept
    earlier.save({ ...mine, name: "from-terminal", cache: { mode: "uniform", k: "q4_0", v: "q4_0" } });
    earlier.setActiveProfile("raycast-only");
    const earlierManager = new ServerManager({ supportDir: raycastSupportPath });
    const plan = planLaunch(serverSettings(), activeProfile(earlier));
    const running = await earlierManager.ensureRunning(plan);

    launchMenuBar();
    await waitFor(() => menuItem("Running"), { timeout: 20_000 });
    expect(menuItem(/^Profile/).textContent).toBe("Profile raycast-only");
    // the terminal sees the same server, profiles and active profile now
    expect(await statusJson()).toMatchObject({ state: "running", server: { pid: running.pid } });
    // the shared folder already had an active profile: that choice stands
    expect(shared.activeProfileName()).toBe("from-terminal");
    expect(shared.get("raycast-only").cache).toEqual({ mode: "uniform", k: "q8_0", v: "q4_0" });
    expect(shared.get("from-terminal").cache).toEqual({ mode: "uniform", k: "q8_0", v: "q8_0" });
    expect(shared.get("from-terminal-raycast").cache).toEqual({ mode: "uniform", k: "q4_0", v: "q4_0" });
    expect(readFileSync(join(raycastSupportPath, movedMarkerName), "utf8")).toContain(supportDir);
    // the moved record still holds the API key: owner-only, as the manager writes it
    expect(statSync(join(supportDir, "server.json")).mode & 0o777).toBe(0o600);

    // once: what appears in the old folder later is not moved again
    earlier.save({ ...mine, name: "later", cache: { mode: "uniform", k: "q8_0", v: "q8_0" } });
    cleanup();
    launchMenuBar();
    await waitFor(() => menuItem("Running"), { timeout: 20_000 });
    expect(existsSync(shared.pathOf("later"))).toBe(false);

    fireEvent.click(menuItem("Stop Server"));
    await launchedCommandsDone();
    expect(fakeRaycast.toasts.at(-1)?.title).toBe("llama-server stopped");
    expect((await statusJson()).state).toBe("stopped");
  });
});

/** The Alfred workflow's Script Filter, with the variables a user configures; KVSplit's folder by the platform rule. */
function runAlfredFilter(keyword: string, port: number) {
  return runScriptFilter(join(repo, "alfred"), keyword, "", {
    HOME: process.env.HOME!,
    XDG_DATA_HOME: process.env.XDG_DATA_HOME!,
    kvsplit_bin: kvsplitBin,
    node_dir: dirname(process.execPath),
    kvsplit_port: String(port),
    kvsplit_model: "",
  });
}
