import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parse } from "plist";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { instructModelPath, repoRoot } from "../../src/config.ts";
import { readModelFacts } from "../../src/model/gguf.ts";
import { builtinProfiles } from "../../src/profiles/builtins.ts";
import { manualPerLayerProfile } from "../../src/profiles/testProfiles.ts";
import { ProfileStore } from "../../src/profiles/store.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { smollmModelPath } from "../fixtures.ts";
import { scriptFilterOutputSchema } from "./scriptFilterSchema.ts";
import { bashScriptConfigSchema, workflowSchema, type Workflow, type WorkflowObject } from "./workflowSchema.ts";

const alfredDir = join(repoRoot(), "alfred");
const workflow: Workflow = workflowSchema.parse(parse(readFileSync(join(alfredDir, "info.plist"), "utf8")));

const objectByUid = (uid: string) => workflow.objects.find((object) => object.uid === uid);
const next = (object: WorkflowObject) =>
  (workflow.connections[object.uid] ?? []).map((c) => objectByUid(c.destinationuid)!);
const input = (type: string, keyword: string) => {
  const found = workflow.objects.find((object) => object.type === type && object.config.keyword === keyword);
  if (!found) throw new Error(`info.plist has no ${type} with keyword "${keyword}"`);
  return found;
};
const bashScript = (object: WorkflowObject) => bashScriptConfigSchema.parse(object.config).script;

describe("Alfred workflow: info.plist", () => {
  it("has unique uids, a position for each object and connections between objects that exist", () => {
    const uids = workflow.objects.map((object) => object.uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(Object.keys(workflow.uidata).sort()).toEqual([...uids].sort());
    for (const [source, links] of Object.entries(workflow.connections)) {
      expect(uids, `connection from ${source}`).toContain(source);
      for (const link of links) {
        expect(uids, `connection ${source} → ${link.destinationuid}`).toContain(link.destinationuid);
        expect(link.destinationuid).not.toBe(source);
      }
    }
  });

  it("starts every chain at an input, reaches every object from one, and ends at outputs", () => {
    const inputs = workflow.objects.filter((object) => object.type.startsWith("alfred.workflow.input."));
    const targets = new Set(Object.values(workflow.connections).flatMap((links) => links.map((l) => l.destinationuid)));
    for (const object of inputs) expect(targets.has(object.uid), `${object.type} has an incoming link`).toBe(false);
    const reached = new Set<string>();
    const visit = (object: WorkflowObject) => {
      if (reached.has(object.uid)) return;
      reached.add(object.uid);
      next(object).forEach(visit);
    };
    inputs.forEach(visit);
    expect([...reached].sort()).toEqual(workflow.objects.map((object) => object.uid).sort());
    for (const object of workflow.objects.filter((o) => o.type.startsWith("alfred.workflow.output."))) {
      expect(next(object), `${object.type} leads nowhere`).toEqual([]);
    }
  });

  it("wires 'kvp' to 'kvsplit profile use' and 'kva' to 'kvsplit ask', each to a notification", () => {
    const filter = input("alfred.workflow.input.scriptfilter", "kvp");
    expect(filter.config).toMatchObject({ alfredfiltersresults: true, withspace: true });
    const [use] = next(filter);
    expect(use!.type).toBe("alfred.workflow.action.script");
    expect(bashScript(use!)).toContain('kvsplit profile use "$1"');
    expect(next(use!).map((object) => object.type)).toEqual(["alfred.workflow.output.notification"]);

    const ask = next(input("alfred.workflow.input.keyword", "kva"));
    expect(ask.map((object) => object.type)).toEqual(["alfred.workflow.action.script"]);
    expect(bashScript(ask[0]!)).toContain('kvsplit ask "$1"');
    expect(
      next(ask[0]!)
        .map((object) => object.type)
        .sort(),
    ).toEqual(["alfred.workflow.output.clipboard", "alfred.workflow.output.notification"]);
  });

  it("declares every variable its scripts read, and ships every file they run", () => {
    const scripts = [
      readFileSync(join(alfredDir, "env.sh"), "utf8"),
      ...workflow.objects.map((o) => String(o.config.script ?? "")),
    ];
    const declared = new Set(workflow.userconfigurationconfig.map((entry) => entry.variable));
    // lower-case variables are the workflow's; local ones are assigned in the script itself
    for (const script of scripts) {
      const assigned = new Set([...script.matchAll(/\b([a-z_]+)=/g)].map((match) => match[1]));
      for (const [, name] of script.matchAll(/\$\{?([a-z_][a-z0-9_]*)/g)) {
        if (!assigned.has(name)) expect(declared, `$${name} in ${script.split("\n")[0]}`).toContain(name);
      }
      for (const [, file] of script.matchAll(/\.\/([\w.-]+)/g)) expect(existsSync(join(alfredDir, file!))).toBe(true);
    }
  });
});

describe("Alfred workflow: scripts run as Alfred runs them (bash, bare PATH, the real kvsplit)", () => {
  let supportDir: string;
  let port: number;
  const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");
  // Alfred's environment: a bare PATH and the workflow's configuration as variables, nothing else
  const run = (script: string, query: string, variables: Record<string, string> = {}) =>
    execa("bash", ["-c", script, "bash", query], {
      cwd: alfredDir,
      extendEnv: false,
      env: {
        HOME: process.env.HOME,
        PATH: "/usr/bin:/bin:/usr/sbin:/sbin",
        KVSPLIT_HOME: supportDir,
        kvsplit_bin: kvsplitBin,
        node_dir: dirname(process.execPath),
        kvsplit_port: String(port),
        kvsplit_model: "",
        ...variables,
      },
      reject: false,
    });
  const filterScript = () => bashScript(input("alfred.workflow.input.scriptfilter", "kvp"));

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-alfred-test-"));
    port = await freeLoopbackPort();
    const served = await readModelFacts(smollmModelPath());
    const { fileName, sizeBytes, headerHash, nLayer } = served;
    const store = new ProfileStore(supportDir);
    store.save(manualPerLayerProfile("smol-split", { fileName, sizeBytes, headerHash, nLayer }));
    store.save(
      manualPerLayerProfile("gemma-split", { fileName: "gemma-3-270m-q4_k_m.gguf", sizeBytes, headerHash, nLayer: 18 }),
    );
    store.setActiveProfile("smol-split");
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("the Script Filter lists the profiles that fit the served model in Alfred's JSON format", async () => {
    const result = await run(filterScript(), "");
    expect(result.exitCode, result.stderr).toBe(0);
    const output = scriptFilterOutputSchema.parse(JSON.parse(result.stdout));
    expect(output.items.map((item) => item.uid)).toEqual([
      ...builtinProfiles.map((profile) => profile.name),
      "smol-split",
      "other-models",
    ]);
    const smol = output.items.find((item) => item.uid === "smol-split")!;
    expect(smol).toMatchObject({ title: "smol-split", arg: "smol-split", valid: true, autocomplete: "smol-split" });
    expect(smol.subtitle).toBe("active · per layer: 30 layers");
    expect(output.items.find((item) => item.uid === "k8v4")!.subtitle).toMatch(/^K q8_0, V q4_0 · 8-bit keys/);
    expect(output.items.at(-1)).toMatchObject({
      title: "1 profile for other models not shown",
      subtitle: `gemma-split; the server loads ${instructModelPath().split("/").at(-1)}`,
      valid: false,
    });
  });

  it("the Script Filter shows kvsplit's failure as one item that cannot be chosen", async () => {
    const result = await run(filterScript(), "", { kvsplit_bin: join(supportDir, "no-such-kvsplit") });
    const output = scriptFilterOutputSchema.parse(JSON.parse(result.stdout));
    expect(output.items).toHaveLength(1);
    expect(output.items[0]).toMatchObject({ uid: "error", valid: false });
    expect(output.items[0]!.subtitle).toMatch(/no-such-kvsplit: No such file or directory/);
  });

  it("choosing a profile makes it active", async () => {
    const use = next(input("alfred.workflow.input.scriptfilter", "kvp"))[0]!;
    const result = await run(bashScript(use), "k8v8");
    expect(result.stdout).toBe("active profile: k8v8");
    expect(new ProfileStore(supportDir).activeProfileName()).toBe("k8v8");
  });

  it("'kva' asks the model and prints the answer for the clipboard and the notification", async () => {
    const ask = next(input("alfred.workflow.input.keyword", "kva"))[0]!;
    const result = await run(bashScript(ask), "What is the capital of France?");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Paris");
  });

  it("'kva' prints kvsplit's reason when it cannot answer", async () => {
    const ask = next(input("alfred.workflow.input.keyword", "kva"))[0]!;
    const missing = join(supportDir, "missing.gguf");
    const result = await run(bashScript(ask), "Hi", {
      kvsplit_model: missing,
      kvsplit_port: String(await freeLoopbackPort()),
    });
    expect(result.stdout).toMatch(new RegExp(`^kvsplit: .*${missing}`));
  });
});
