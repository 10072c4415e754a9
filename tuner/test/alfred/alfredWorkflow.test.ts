import { execa } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
import { runTextView, type TextViewFrame } from "./runTextView.ts";
import { scriptFilterOutputSchema } from "./scriptFilterSchema.ts";
import {
  bashScriptConfigSchema,
  keywordOf,
  workflowSchema,
  type Workflow,
  type WorkflowObject,
} from "./workflowSchema.ts";

const alfredDir = join(repoRoot(), "alfred");
const workflow: Workflow = workflowSchema.parse(parse(readFileSync(join(alfredDir, "info.plist"), "utf8")));

const objectByUid = (uid: string) => workflow.objects.find((object) => object.uid === uid);
const next = (object: WorkflowObject) =>
  (workflow.connections[object.uid] ?? []).map((c) => objectByUid(c.destinationuid)!);
const configured = (variable: string) =>
  workflow.userconfigurationconfig.find((entry) => entry.variable === variable)?.config.default;
const input = (type: string, keyword: string) => {
  const found = workflow.objects.find((object) => object.type === type && keywordOf(workflow, object) === keyword);
  if (!found) throw new Error(`info.plist has no ${type} with keyword "${keyword}"`);
  return found;
};
const bashScript = (object: WorkflowObject) => bashScriptConfigSchema.parse(object.config).script;
const textView = workflow.objects.find((object) => object.type === "alfred.workflow.userinterface.text")!;
const textViewScript = () => String(textView.config.inputfile);
/** Alfred's modifier flags in a connection: ⇧ 131072, ⌃ 262144, ⌥ 524288, ⌘ 1048576. */
const modifiers = { none: 0, shift: 131072, ctrl: 262144, alt: 524288, cmd: 1048576 } as const;
const nextWith = (object: WorkflowObject, modifier: keyof typeof modifiers) => {
  const links = (workflow.connections[object.uid] ?? []).filter((link) => link.modifiers === modifiers[modifier]);
  if (links.length !== 1) throw new Error(`${object.type} has ${links.length} links for ${modifier}; expected 1`);
  return { object: objectByUid(links[0]!.destinationuid)!, closesView: links[0]!.vitoclose };
};

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
    const inputs = workflow.objects.filter((object) => /^alfred\.workflow\.(input|trigger)\./.test(object.type));
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

  it("wires 'kvp' to 'kvsplit profile use' and a notification", () => {
    const filter = input("alfred.workflow.input.scriptfilter", "kvp");
    expect(filter.config).toMatchObject({ alfredfiltersresults: true, withspace: true });
    const [use] = next(filter);
    expect(use!.type).toBe("alfred.workflow.action.script");
    expect(bashScript(use!)).toContain('kvsplit profile use "$1"');
    expect(next(use!).map((object) => object.type)).toEqual(["alfred.workflow.output.notification"]);
  });

  it("wires 'kva' to the Text View, whose keys stop, copy and start anew", () => {
    const kva = input("alfred.workflow.input.keyword", "kva");
    expect(kva.config.keyword).toBe("{var:kva_keyword}");
    expect(nextWith(kva, "none").object).toBe(textView);
    const action = (modifier: keyof typeof modifiers) => {
      const { object, closesView } = nextWith(textView, modifier);
      return { script: bashScript(object), then: next(object).map((o) => o.type), closesView };
    };
    const clipboard = ["alfred.workflow.output.clipboard"];
    const reopen = ["alfred.workflow.output.callexternaltrigger"];
    expect(action("alt")).toEqual({
      script: expect.stringContaining("copy-answer"),
      then: clipboard,
      closesView: false,
    });
    expect(action("ctrl")).toEqual({
      script: expect.stringContaining("copy-chat"),
      then: clipboard,
      closesView: false,
    });
    expect(action("shift")).toEqual({ script: expect.stringContaining("stop"), then: reopen, closesView: true });
    expect(action("cmd")).toEqual({ script: expect.stringContaining('new "$1"'), then: reopen, closesView: true });
    expect(nextWith(kva, "cmd").object).toBe(nextWith(textView, "cmd").object);
    // the view is opened again through the workflow's own external trigger
    const call = next(nextWith(textView, "shift").object)[0]!;
    const trigger = workflow.objects.find(
      (o) => o.type === "alfred.workflow.trigger.external" && o.config.triggerid === call.config.externaltriggerid,
    )!;
    expect(call.config).toMatchObject({ workflowbundleid: "self", passinputasargument: true });
    expect(next(trigger)).toEqual([textView]);
    // Alfred runs the view's script file itself: it must be executable
    expect(statSync(join(alfredDir, textViewScript())).mode & 0o111).not.toBe(0);
  });

  it("asks for paths with file pickers and keeps the keywords in variables", () => {
    const typeOf = (variable: string) =>
      workflow.userconfigurationconfig.find((entry) => entry.variable === variable)?.type;
    for (const variable of ["kvsplit_bin", "node_dir", "kvsplit_server_bin", "kvsplit_model"]) {
      expect(typeOf(variable), variable).toBe("filepicker");
    }
    expect([configured("kva_keyword"), configured("kvp_keyword")]).toEqual(["kva", "kvp"]);
    const keywords = workflow.objects.filter((object) => object.config.keyword !== undefined);
    for (const object of keywords) expect(object.config.keyword).toMatch(/^\{var:\w+_keyword\}$/);
  });

  it("declares every variable its scripts read, and ships every file they run", () => {
    const scripts = [
      readFileSync(join(alfredDir, "env.sh"), "utf8"),
      readFileSync(join(alfredDir, textViewScript()), "utf8"),
      ...workflow.objects.map((o) => String(o.config.script ?? "")),
    ];
    const nodeScripts = readdirSync(alfredDir)
      .filter((file) => file.endsWith(".mjs"))
      .map((file) => readFileSync(join(alfredDir, file), "utf8"));
    const declared = new Set(workflow.userconfigurationconfig.map((entry) => entry.variable));
    // the Text View's session variables: set by its own output, read by its next run
    const session = new Set(
      nodeScripts
        .flatMap((script) => [...script.matchAll(/variables: \{ (\w+): "\d"(?:, (\w+): "\d")? \}/g)])
        .flatMap((match) => match.slice(1).filter(Boolean)),
    );
    expect([...session].sort()).toEqual(["stream_marker", "streaming_now"]);
    for (const script of nodeScripts) {
      for (const [, env, shell] of script.matchAll(/process\.env\.(\w+)|\$\{?(kvsplit_\w+)/g)) {
        const name = env ?? shell;
        if (!session.has(name!)) expect(declared, `process.env.${name}`).toContain(name);
      }
      for (const [, file] of script.matchAll(/"\.\/([\w.-]+)"/g)) expect(existsSync(join(alfredDir, file!))).toBe(true);
    }
    for (const object of workflow.objects) {
      for (const [, name] of JSON.stringify(object.config).matchAll(/\{var:(\w+)\}/g)) expect(declared).toContain(name);
    }
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

  describe("'kva': the chat in the Text View, streamed from the real server", () => {
    const dataDir = () => join(supportDir, "alfred-data");
    const cacheDir = () => join(supportDir, "alfred-cache");
    // what Alfred sets besides the workflow's configuration; it does not create the data and cache folders
    const alfredEnv = () => ({
      HOME: process.env.HOME!,
      KVSPLIT_HOME: supportDir,
      alfred_version: "5.5",
      alfred_workflow_bundleid: workflow.bundleid,
      alfred_workflow_name: workflow.name,
      alfred_workflow_data: dataDir(),
      alfred_workflow_cache: cacheDir(),
      kva_keyword: "kva",
      kvp_keyword: "kvp",
      kvsplit_bin: kvsplitBin,
      node_dir: dirname(process.execPath),
      kvsplit_port: String(port),
      kvsplit_model: "",
      kvsplit_server_bin: "",
      kvsplit_max_tokens: "120",
    });
    const openView = (text: string, env: Record<string, string> = {}, closeWhen?: (frame: TextViewFrame) => boolean) =>
      runTextView(alfredDir, textViewScript(), text, { ...alfredEnv(), ...env }, { closeWhen });
    const viewAction = async (modifier: "alt" | "ctrl" | "shift" | "cmd", text = "") => {
      const result = await run(bashScript(nextWith(textView, modifier).object), text, alfredEnv());
      expect(result.exitCode, result.stderr).toBe(0);
      return result.stdout;
    };
    const turns = (): { question: string; answer: string; status: string; note: string }[] =>
      JSON.parse(readFileSync(join(dataDir(), "chat.json"), "utf8"));
    const count = (note: string, what: RegExp) => Number(what.exec(note)![1]);
    // long enough an answer (kvsplit_max_tokens) to be seen growing over several reruns
    const question = "Describe Paris in a few sentences.";

    it("a question streams in: later reruns see more of the answer, the last one marks it done", async () => {
      const { frames, variables } = await openView(question);
      // the runs that replace the answer's place with the text so far, while reruns go on
      const partial = frames
        .filter((frame) => frame.output.rerun !== undefined && frame.output.behaviour?.response === "replacelast")
        .map((frame) => frame.output.response!)
        .filter((text, index, all) => text !== "…" && text !== all[index - 1]);
      expect(partial.length, JSON.stringify(partial)).toBeGreaterThanOrEqual(2);
      partial.slice(1).forEach((text, index) => expect(text.startsWith(partial[index]!), text).toBe(true));
      const last = frames.at(-1)!;
      const [turn] = turns();
      expect(turn).toMatchObject({ question, status: "done" });
      expect(turn!.answer.startsWith(partial.at(-1)!)).toBe(true);
      expect(last.output.rerun).toBeUndefined();
      expect(variables.streaming_now).toBe("0");
      expect(last.view).toBe(`### ${question}\n\n${turn!.answer}`);
      expect(last.footer).toMatch(/· \d+ tokens · [\d.]+ tokens\/s · first token after \d+ ms · prompt \d+ tokens/);
      expect(readdirSync(cacheDir())).toEqual([]); // the stream's files are gone
    });

    it("a follow-up question is sent with the chat so far", async () => {
      const [first] = turns();
      const { frames } = await openView(question);
      const [, second] = turns();
      expect(second).toMatchObject({ question, status: "done" });
      expect(frames.at(-1)!.view).toBe(`### ${question}\n\n${first!.answer}\n\n### ${question}\n\n${second!.answer}`);
      // the same question again: the server read the first question and answer before it
      const promptTokens = (note: string) => count(note, /prompt (\d+) tokens/);
      const answerTokens = count(first!.note, /· (\d+) tokens ·/);
      expect(promptTokens(second!.note)).toBeGreaterThanOrEqual(promptTokens(first!.note) + answerTokens);
    });

    it("⌥↩ copies the last answer and ⌃↩ the whole chat", async () => {
      const [first, second] = turns();
      expect(await viewAction("alt")).toBe(second!.answer);
      expect(await viewAction("ctrl")).toBe(
        `### ${question}\n\n${first!.answer}\n\n### ${question}\n\n${second!.answer}`,
      );
    });

    it("a view closed mid-answer and opened again goes on streaming below the chat", async () => {
      const before = turns().length;
      // long enough (400 tokens) to be still on its way when the view is opened again
      const again = "Tell me a long story about a cat who sails to London.";
      const long = { kvsplit_max_tokens: "400" };
      await openView(
        again,
        long,
        // closed once some of the answer is seen
        (frame) => frame.output.behaviour?.response === "replacelast" && /\w{3}/.test(frame.output.response!),
      );
      // kva alone (no question) opens the chat: the answer on its way is drawn as it comes, then kept
      const { frames } = await openView("", long);
      expect(frames.length).toBeGreaterThan(1);
      expect(frames[0]!.output).toMatchObject({ rerun: 0.1, variables: { streaming_now: "1", stream_marker: "1" } });
      const answered = turns();
      expect(answered).toHaveLength(before + 1);
      expect(answered.at(-1)).toMatchObject({ question: again, status: "done" });
      expect(frames.at(-1)!.view.endsWith(`### ${again}\n\n${answered.at(-1)!.answer}`)).toBe(true);
    });

    it("⇧↩ stops the answer: its processes end, the text so far is kept, the server stays up", async () => {
      const story = "Tell me a long story about a dragon who learns to bake bread.";
      const { frames } = await openView(
        story,
        { kvsplit_max_tokens: "400" },
        (frame) => (frame.view.split(`### ${story}\n\n`)[1] ?? "").length >= 20,
      );
      const seen = frames.at(-1)!.view.split(`### ${story}\n\n`)[1]!;
      const pid = Number(readFileSync(join(cacheDir(), "stream.pid"), "utf8"));
      await viewAction("shift");
      expect(() => process.kill(-pid, 0)).toThrow(expect.objectContaining({ code: "ESRCH" }));
      expect(readdirSync(cacheDir())).toEqual([]);
      const stopped = turns().at(-1)!;
      expect(stopped).toMatchObject({ question: story, status: "stopped" });
      expect(stopped.answer.startsWith(seen)).toBe(true);
      expect(count(stopped.note, /· (\d+) tokens ·/)).toBeLessThan(400);
      expect((await run(". ./env.sh && kvsplit server status", "", alfredEnv())).exitCode).toBe(0);
      // the stop action opens the view again (its external trigger, no text): the chat with the stopped answer
      const reopened = await openView("");
      expect(reopened.frames).toHaveLength(1);
      expect(reopened.frames[0]!.view).toContain(`### ${story}\n\n${stopped.answer} [stopped]`);
    });

    it("an error is shown in the view, never copied", async () => {
      const answerBefore = await viewAction("alt");
      const chatBefore = await viewAction("ctrl");
      const missing = join(supportDir, "missing.gguf");
      const { frames } = await openView("Hi", {
        kvsplit_model: missing,
        kvsplit_port: String(await freeLoopbackPort()),
      });
      const last = frames.at(-1)!;
      expect(last.output.rerun).toBeUndefined();
      expect(last.view).toMatch(new RegExp(`### Hi\n\n\\[.*${missing}.*\\]$`));
      expect(last.footer).toBe("kvsplit could not answer · ⌘↩ New chat");
      expect(turns().at(-1)).toMatchObject({ question: "Hi", status: "failed" });
      expect(await viewAction("alt")).toBe(answerBefore);
      expect(await viewAction("ctrl")).toBe(chatBefore);
    });

    it("a damaged chat file is named in the view and left as it is", async () => {
      const chatFile = join(dataDir(), "chat.json");
      const chat = readFileSync(chatFile, "utf8");
      writeFileSync(chatFile, chat.slice(0, 40));
      const { frames } = await openView("Hi");
      expect(frames).toHaveLength(1);
      expect(frames[0]!.view).toMatch(
        new RegExp(`^\\[${chatFile} is not a chat \\(.*\\): ⌘↩ starts a new one; the file is left as it is\\]$`),
      );
      expect(readFileSync(chatFile, "utf8")).toBe(chat.slice(0, 40));
      expect(readdirSync(cacheDir())).toEqual([]); // nothing was asked
    });

    it("⌘↩ starts a new chat: the old one is cleared and the typed question goes on to be asked", async () => {
      expect(await viewAction("cmd", "Hello again")).toBe("Hello again");
      expect(existsSync(join(dataDir(), "chat.json"))).toBe(false);
      const { frames } = await openView("");
      expect(frames.map((frame) => frame.view)).toEqual(["Ask the local model a question."]);
    });
  });
});
