import { findBuiltinProfile } from "@kvsplit/tuner/profiles/builtins";
import { planLaunch } from "@kvsplit/tuner/server/launchPlan";
import type { ServerSettings } from "@kvsplit/tuner/server/types";
import { existsSync } from "node:fs";

/** A part the server needs that is not on disk, and the command that puts it there. */
export interface MissingPart {
  what: string;
  path: string;
  /** run in the KVSplit checkout */
  command: string;
  /** a preference names it: choosing another file there is the other way out */
  fromPreference?: string;
}

/** What a first run lacks: the patched llama-server, the model. Empty when the server can start. */
export function missingSetup(settings: ServerSettings): MissingPart[] {
  const plan = planLaunch(settings, findBuiltinProfile("f16")!);
  const missing: MissingPart[] = [];
  if (!existsSync(plan.binaryPath)) {
    missing.push({
      what: "the patched llama-server",
      path: plan.binaryPath,
      command: "bash native/build.sh",
      fromPreference: settings.binaryPath ? "llama-server Path" : undefined,
    });
  }
  if (!existsSync(plan.modelPath)) {
    missing.push({
      what: "the model",
      path: plan.modelPath,
      command: "node tuner/bin/tuner.mjs model fetch --source instruct",
      fromPreference: settings.modelPath ? "Model File" : undefined,
    });
  }
  return missing;
}

/** The one view's text: what is missing, where it was looked for, and the command that installs it. */
export function missingSetupMarkdown(missing: readonly MissingPart[]): string {
  const parts = missing.map((part) => {
    const preference = part.fromPreference
      ? ` (or choose another file in the "${part.fromPreference}" preference)`
      : "";
    return `## Missing: ${part.what}\n\nNot found at \`${part.path}\`. In the KVSplit checkout, run${preference}:\n\n\`\`\`\n${part.command}\n\`\`\``;
  });
  return [
    "# KVSplit is not set up yet",
    ...parts,
    "`npm run setup` in the checkout does both: it builds the patched llama.cpp and fetches the model.",
  ].join("\n\n");
}
