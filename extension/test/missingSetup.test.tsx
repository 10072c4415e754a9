import { render, screen } from "@testing-library/react";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import AskLocalModel from "../src/ask-local-model.tsx";
import ChoosePrecisionProfile from "../src/choose-precision-profile.tsx";
import { fakeRaycast, NavigationRoot } from "./raycast-api-fake/index.tsx";
import { useTestServer } from "./support/testServer.ts";

const markdown = () => screen.getAllByTestId("markdown").at(-1)!.textContent ?? "";

describe("first run as installed: llama-server or the model missing", () => {
  const testServer = useTestServer();

  it("Ask shows what is missing and the command that installs it, and starts nothing", () => {
    const missingBinary = join(testServer().home, "no-build", "llama-server");
    const missingModel = join(testServer().home, "no-model.gguf");
    fakeRaycast.preferences = { ...testServer().preferences, llamaServerPath: missingBinary, modelPath: missingModel };
    render(
      <NavigationRoot>
        <AskLocalModel arguments={{ prompt: "Hi" }} launchType={"userInitiated" as never} />
      </NavigationRoot>,
    );
    expect(markdown()).toContain("# KVSplit is not set up yet");
    expect(markdown()).toContain(`## Missing: the patched llama-server\n\nNot found at \`${missingBinary}\``);
    expect(markdown()).toContain("bash native/build.sh");
    expect(markdown()).toContain(`## Missing: the model\n\nNot found at \`${missingModel}\``);
    expect(markdown()).toContain("node tuner/bin/tuner.mjs model fetch --source instruct");
    expect(screen.getByRole("button", { name: 'Copy "bash native/build.sh"' })).toBeTruthy();
    expect(fakeRaycast.toasts).toEqual([]);
  });

  it("Choose Precision Profile shows the same view when only the binary is missing", () => {
    fakeRaycast.preferences = { ...testServer().preferences, llamaServerPath: join(testServer().home, "none") };
    render(
      <NavigationRoot>
        <ChoosePrecisionProfile />
      </NavigationRoot>,
    );
    expect(markdown()).toContain("## Missing: the patched llama-server");
    expect(markdown()).not.toContain("Missing: the model");
  });
});
