import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import { LocalStorage } from "@raycast/api";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultMaxAnswerTokens, defaultSystemPrompt } from "@kvsplit/tuner/client/askDefaults";
import { waitUntil } from "@kvsplit/tuner/server/processInfo";
import AskLocalModel from "../src/ask-local-model.tsx";
import { chatSettings } from "../src/lib/settings/preferences.ts";
import { fakeRaycast, NavigationRoot } from "./raycast-api-fake/index.tsx";
import { useTestServer } from "./support/testServer.ts";

const launch = (prompt?: string) =>
  render(
    <NavigationRoot>
      <AskLocalModel arguments={{ prompt }} launchType={"userInitiated" as never} />
    </NavigationRoot>,
  );

const markdown = () => screen.getAllByTestId("markdown").at(-1)!.textContent ?? "";
const metadata = (title: string) => screen.getByLabelText(title, { selector: "dd" }).textContent;
const answerDone = () => expect(screen.getByRole("article").getAttribute("aria-busy")).toBe("false");

describe("Ask Local Model (real llama-server)", () => {
  const testServer = useTestServer();

  it("starts the server with a progress toast and streams the answer in", async () => {
    launch("Name three colors.");
    await waitFor(() => expect(fakeRaycast.toasts[0]?.title).toBe("Starting llama-server"), { timeout: 10_000 });
    // streaming: the markdown grows while the view is still loading
    await waitFor(
      () => {
        expect(screen.getByRole("article").getAttribute("aria-busy")).toBe("true");
        expect(markdown().length).toBeGreaterThan("**Name three colors.**\n\n".length + 2);
      },
      { timeout: 60_000 },
    );
    await waitFor(answerDone, { timeout: 60_000 });

    expect(markdown()).toMatch(/^\*\*Name three colors\.\*\*/);
    expect(fakeRaycast.toasts[0]).toMatchObject({ title: "llama-server is ready" });
    await waitFor(() => expect(metadata("Profile")).toBe("f16"));
    // no model preference: the instruct model, which answers with its own chat template
    expect(metadata("Model")).toBe("SmolLM2-135M-Instruct.Q4_1.gguf");
    expect(metadata("KV Memory")).toMatch(/^[\d.]+ MiB$/);
    expect(Number(metadata("Tokens/s"))).toBeGreaterThan(0);
  });

  it("asks a follow-up with the whole conversation, and copies the answer", async () => {
    launch("What is the capital of France?");
    await waitFor(answerDone, { timeout: 60_000 });
    await waitFor(() => expect(metadata("Prompt Tokens")).not.toBe("—"));
    const firstPromptTokens = Number(metadata("Prompt Tokens"));
    const firstAnswer = markdown().split("\n\n").slice(1).join("\n\n");
    expect(firstAnswer).toContain("Paris");
    expect(fakeRaycast.toasts).toEqual([]); // the server was already running: no start toast

    fireEvent.click(screen.getByRole("button", { name: "Copy Answer" }));
    await waitFor(() => expect(fakeRaycast.copied).toEqual([firstAnswer]));

    fireEvent.click(screen.getByRole("button", { name: "Ask Follow-Up" }));
    const form = await screen.findByRole("form", { name: "Ask Follow-Up" });
    fireEvent.change(within(form).getByLabelText("Question"), { target: { value: "And of Italy?" } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask Follow-Up" }));

    await waitFor(() => expect(markdown()).toContain("**And of Italy?**"), { timeout: 10_000 });
    await waitFor(answerDone, { timeout: 60_000 });
    expect(markdown()).toMatch(/^\*\*What is the capital of France\?\*\*[\s\S]*---[\s\S]*\*\*And of Italy\?\*\*/);
    // the server read the first question and answer again: the follow-up's prompt is the whole conversation
    await waitFor(() => expect(Number(metadata("Prompt Tokens"))).toBeGreaterThan(firstPromptTokens + 5));
  });

  it("stops generation on request and keeps the text so far", async () => {
    fakeRaycast.preferences = { ...testServer().preferences, maxTokens: "400" };
    launch("Write a long story about a lighthouse.");
    const stop = await screen.findByRole("button", { name: "Stop Generation" }, { timeout: 60_000 });
    await waitFor(() => expect(markdown()).not.toContain("Thinking"), { timeout: 60_000 });
    fireEvent.click(stop);
    await waitFor(answerDone, { timeout: 30_000 });
    expect(markdown()).toContain("_(stopped)_");
    expect(Number(metadata("Tokens/s"))).toBeGreaterThanOrEqual(0);
  });

  it("starts a conversation from the list when launched without a prompt, and opens the server log", async () => {
    launch();
    fireEvent.click(await screen.findByRole("button", { name: "Start Conversation" }));
    const form = await screen.findByRole("form");
    fireEvent.change(within(form).getByLabelText("Question"), { target: { value: "Say hello." } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask" }));
    await waitFor(answerDone, { timeout: 60_000 });
    expect(markdown()).toMatch(/^\*\*Say hello\.\*\*\n\n\S/);
    fireEvent.click(screen.getByRole("button", { name: "Open Server Log" }));
    await waitFor(() => expect(fakeRaycast.opened).toEqual([testServer().manager.logPath]));
  });

  it("closing the view stops the answer, and the server stops generating", async () => {
    fakeRaycast.preferences = { ...testServer().preferences, maxTokens: "3000" };
    const view = launch("Count from 1 to 1000, one number per line.");
    await waitFor(() => expect(markdown().length).toBeGreaterThan(80), { timeout: 60_000 });
    const client = testServer().manager.clientFor(testServer().port);
    expect(await client.busySlots()).toBe(1);

    view.unmount();
    // a 3000-token answer takes far longer than this: only a cancelled task frees the slot so soon
    expect(await waitUntil(async () => (await client.busySlots()) === 0, 10_000, 50)).toBe(true);
  });

  it("asks with kvsplit ask's defaults, caps answers at 512 tokens, and refuses a cap below 1", async () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      preferences: { name: string; default?: string }[];
    };
    const defaultOf = (name: string) => manifest.preferences.find((preference) => preference.name === name)?.default;
    expect(defaultOf("maxTokens")).toBe(String(defaultMaxAnswerTokens));
    expect(defaultOf("systemPrompt")).toBe(defaultSystemPrompt);
    fakeRaycast.preferences = { ...testServer().preferences, maxTokens: "" };
    expect(chatSettings().maxTokens).toBe(defaultMaxAnswerTokens);
    fakeRaycast.preferences = { ...testServer().preferences, maxTokens: "0" };
    launch("Hi");
    expect(markdown()).toContain(
      'the "Max Answer Tokens" preference is "0"; expected a whole number of at least 1 (or empty for the default)',
    );
  });

  it("keeps the conversation: it is listed, reopened, asked on, copied and deleted", async () => {
    await LocalStorage.clear();
    const first = launch("What is the capital of France?");
    await waitFor(answerDone, { timeout: 60_000 });
    const answer = markdown().split("\n\n").slice(1).join("\n\n");
    first.unmount();

    // a later launch without a prompt lists it (LocalStorage outlives the command)
    const later = launch();
    const item = await screen.findByRole("listitem", { name: "What is the capital of France?" });
    expect(item.textContent).toContain("1 question");
    fireEvent.click(within(item).getByRole("button", { name: "Copy Conversation" }));
    await waitFor(() => expect(fakeRaycast.copied.at(-1)).toBe(`Q: What is the capital of France?\n\nA: ${answer}`));
    fireEvent.click(within(item).getByRole("button", { name: "Open Conversation" }));
    await waitFor(() => expect(markdown()).toContain(answer));

    fireEvent.click(screen.getAllByRole("button", { name: "Ask Follow-Up" }).at(-1)!);
    const form = await screen.findByRole("form", { name: "Ask Follow-Up" });
    fireEvent.change(within(form).getByLabelText("Question"), { target: { value: "And of Italy?" } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask Follow-Up" }));
    await waitFor(() => expect(markdown()).toContain("**And of Italy?**"), { timeout: 10_000 });
    await waitFor(answerDone, { timeout: 60_000 });
    later.unmount();

    launch();
    const reopened = await screen.findByRole("listitem", { name: "What is the capital of France?" });
    await waitFor(() => expect(reopened.textContent).toContain("2 questions"));
    fireEvent.click(within(reopened).getByRole("button", { name: "Delete Conversation" }));
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "What is the capital of France?" })).toBeNull());
    expect(Object.keys(await LocalStorage.allItems())).toEqual([]);
  });

  it("a 50-turn chat fits the served context: the oldest turns are left out, never a context error", async () => {
    await LocalStorage.clear();
    // 49 earlier turns, far more than the 1024-token context of the test server
    const turns = Array.from({ length: 49 }, (_, i) => ({
      question: `Question ${i + 1}: tell me about the number ${i + 1}.`,
      answer: `The number ${i + 1} is a whole number. `.repeat(4).trim(),
    }));
    const now = new Date().toISOString();
    await LocalStorage.setItem(
      "conversation:long",
      JSON.stringify({ id: "long", title: turns[0]!.question, createdAt: now, updatedAt: now, turns }),
    );
    launch();
    fireEvent.click(
      within(await screen.findByRole("listitem", { name: turns[0]!.question })).getByRole("button", {
        name: "Open Conversation",
      }),
    );
    fireEvent.click(await screen.findByRole("button", { name: "Ask Follow-Up" }));
    const form = await screen.findByRole("form", { name: "Ask Follow-Up" });
    fireEvent.change(within(form).getByLabelText("Question"), { target: { value: "Which number came last?" } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask Follow-Up" }));
    await waitFor(() => expect(markdown()).toContain("**Which number came last?**"), { timeout: 10_000 });
    await waitFor(answerDone, { timeout: 60_000 });

    expect(fakeRaycast.toasts.filter((toast) => toast.style === "FAILURE")).toEqual([]);
    expect(markdown()).not.toContain("**Error:**");
    // the prompt filled the context less the answer's 12 tokens: the newest turns were kept, the oldest left out
    await waitFor(() => expect(metadata("Prompt Tokens")).not.toBe("—"));
    const promptTokens = Number(metadata("Prompt Tokens"));
    expect(promptTokens).toBeLessThanOrEqual(1024 - 12);
    expect(promptTokens).toBeGreaterThan(700);
  });
});
