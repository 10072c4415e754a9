import { execa } from "execa";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { textViewOutputSchema, type TextViewOutput } from "./textViewSchema.ts";

/** One run of the Text View's script: what it printed and what the view shows after it. */
export interface TextViewFrame {
  output: TextViewOutput;
  view: string;
  footer?: string;
}

export interface TextViewSession {
  frames: TextViewFrame[];
  /** the session variables after the last run */
  variables: Record<string, string>;
}

/**
 * Opens the workflow's Text View as Alfred does: runs its script file from the workflow folder with the text as $1,
 * a bare PATH and only the variables given; applies each output's `behaviour.response` to the view's text
 * ("replacelast" replaces what the last response added); runs it again after `rerun` seconds with the same text and
 * the variables it set, until an output asks for no rerun, or until `closeWhen` says the user closed the view.
 */
export async function runTextView(
  alfredDir: string,
  scriptFile: string,
  text: string,
  env: Record<string, string>,
  options: { closeWhen?: (frame: TextViewFrame) => boolean; timeoutMs?: number } = {},
): Promise<TextViewSession> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const frames: TextViewFrame[] = [];
  const variables: Record<string, string> = {};
  let view = "";
  let lastResponseAt = 0;
  let footer: string | undefined;
  for (;;) {
    const result = await execa(join(alfredDir, scriptFile), [text], {
      cwd: alfredDir,
      extendEnv: false,
      env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", ...env, ...variables },
      reject: false,
    });
    if (result.exitCode !== 0) throw new Error(`${scriptFile} exited ${result.exitCode}: ${result.stderr}`);
    const output = textViewOutputSchema.parse(JSON.parse(result.stdout));
    if (output.response !== undefined) {
      switch (output.behaviour?.response ?? "replace") {
        case "replace":
          view = output.response;
          lastResponseAt = 0;
          break;
        case "append":
          lastResponseAt = view.length;
          view += output.response;
          break;
        case "prepend":
          view = output.response + view;
          lastResponseAt = 0;
          break;
        case "replacelast":
          view = view.slice(0, lastResponseAt) + output.response;
          break;
      }
    }
    if (output.footer !== undefined) footer = output.footer;
    Object.assign(variables, output.variables);
    const frame = { output, view, footer };
    frames.push(frame);
    if (output.rerun === undefined || options.closeWhen?.(frame)) return { frames, variables };
    if (Date.now() > deadline) throw new Error(`the Text View still reran after ${options.timeoutMs ?? 120_000} ms`);
    await sleep(output.rerun * 1000); // Alfred's own wait between runs
  }
}
