import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import AskLocalModel from "../src/ask-local-model.tsx";
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
    expect(metadata("Model")).toBe("gemma-3-270m-q4_k_m.gguf");
    expect(metadata("KV Memory")).toMatch(/^[\d.]+ MiB$/);
    expect(Number(metadata("Tokens/s"))).toBeGreaterThan(0);
  });

  it("asks a follow-up with the whole conversation, and copies the answer", async () => {
    launch("What is the capital of France?");
    await waitFor(answerDone, { timeout: 60_000 });
    await waitFor(() => expect(metadata("Prompt Tokens")).not.toBe("—"));
    const firstPromptTokens = Number(metadata("Prompt Tokens"));
    const firstAnswer = markdown().split("\n\n").slice(1).join("\n\n");
    expect(fakeRaycast.toasts).toHaveLength(0); // the server was already running: no start toast

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

  it("asks from the form when launched without a prompt, and opens the server log", async () => {
    launch();
    const form = screen.getByRole("form", { name: "Ask" });
    fireEvent.change(within(form).getByLabelText("Question"), { target: { value: "Say hello." } });
    fireEvent.click(within(form).getByRole("button", { name: "Ask" }));
    await waitFor(answerDone, { timeout: 60_000 });
    expect(markdown()).toMatch(/^\*\*Say hello\.\*\*\n\n\S/);
    fireEvent.click(screen.getByRole("button", { name: "Open Server Log" }));
    await waitFor(() => expect(fakeRaycast.opened).toEqual([testServer().manager.logPath]));
  });
});
