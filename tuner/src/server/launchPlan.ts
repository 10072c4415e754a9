import { basename, join } from "node:path";
import { defaultModelFileName, instructModelPath, nativeToolPath } from "../config.ts";
import { findBuiltinProfile } from "../profiles/builtins.ts";
import { llamaServerArgs } from "../native/llamaServerArgs.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import type { Profile } from "../profiles/schema.ts";
import type { ProfileStore } from "../profiles/store.ts";
import { defaultServerThreads } from "./threads.ts";
import { defaultContextSize, defaultServerPort, type LaunchPlan, type ServerSettings } from "./types.ts";

/** llama.cpp's own default, used while no profile was chosen. */
export const fallbackProfileName = "f16";

/**
 * The active profile, or the f16 built-in when none was ever chosen. A damaged active-profile.json or an active
 * profile that is gone is an error that says what to do, never a quiet switch to f16.
 */
export function activeProfile(store: ProfileStore): Profile {
  return store.activeProfile() ?? findBuiltinProfile(fallbackProfileName)!;
}

/** `native/bin/llama-server`, or undefined where the repo layout is unknown (inside a bundled Raycast build). */
export function defaultServerBinaryPath(): string | undefined {
  try {
    return nativeToolPath("llama-server");
  } catch {
    return undefined;
  }
}

/**
 * The model the server loads: the one the settings name, else the instruct model, which answers questions
 * with its own chat template (the tuner's default model is a base model that rambles when asked).
 */
export function servedModelPath(settings: ServerSettings): string {
  return settings.modelPath ?? instructModelPath();
}

/**
 * The exact command line for `profile` (llamaServerArgs: 127.0.0.1, one slot so the whole context serves one chat). Whether
 * the profile fits the model is the one rule in profiles/fit.ts, which ActiveServer applies with the model's facts.
 */
export function planLaunch(settings: ServerSettings, profile: Profile): LaunchPlan {
  const modelPath = servedModelPath(settings);
  const port = settings.port ?? defaultServerPort;
  const args = llamaServerArgs({
    modelPath,
    port,
    ctx: settings.contextSize ?? defaultContextSize,
    threads: settings.threads ?? defaultServerThreads(),
    gpuLayers: settings.gpuLayers,
    extraArgs: [
      ...chatTemplateArgs(settings.chatTemplate, modelPath),
      // the model id clients see (/v1/models, answers): the file's name, not the absolute path into the user's cache
      ...["--alias", basename(modelPath, ".gguf")],
    ],
    kvArgs: profileToLlamaArgs(profile),
  });
  return {
    binaryPath:
      settings.binaryPath ?? defaultServerBinaryPath() ?? nativeToolPath("llama-server", join("native", "bin")),
    modelPath,
    port,
    profileName: profile.name,
    args,
  };
}

// The default model's GGUF has no tokenizer.chat_template, and llama.cpp's fallback (chatml) makes Gemma ramble.
// A built-in template name only means a name with --no-jinja; with Jinja it would be read as the template text.
function chatTemplateArgs(chatTemplate: string | undefined, modelPath: string): string[] {
  const template = chatTemplate ?? (basename(modelPath) === defaultModelFileName ? "gemma" : undefined);
  return template !== undefined ? ["--no-jinja", "--chat-template", template] : [];
}

/** A running server matches the plan when it runs the same binary with the same arguments. */
export function sameLaunch(a: LaunchPlan, b: LaunchPlan): boolean {
  return (
    a.binaryPath === b.binaryPath && a.args.length === b.args.length && a.args.every((arg, i) => arg === b.args[i])
  );
}

/**
 * What differs between two launches, for a person: the profile, then each flag whose value changed, e.g.
 * `profile f16 → k8v8`, `-c 1024 → 2048`, `--no-jinja (new)`.
 */
export function describeLaunchChange(running: LaunchPlan, wanted: LaunchPlan): string[] {
  const changes =
    running.profileName !== wanted.profileName ? [`profile ${running.profileName} → ${wanted.profileName}`] : [];
  if (running.binaryPath !== wanted.binaryPath) changes.push(`binary ${running.binaryPath} → ${wanted.binaryPath}`);
  const before = flagValues(running.args);
  const after = flagValues(wanted.args);
  for (const flag of new Set([...before.keys(), ...after.keys()])) {
    const [was, now] = [before.get(flag), after.get(flag)];
    if (was === now) continue;
    if (was === undefined) changes.push(`${flag}${now ? ` ${now}` : ""} (new)`);
    else if (now === undefined) changes.push(`${flag}${was ? ` ${was}` : ""} (dropped)`);
    else changes.push(`${flag} ${was} → ${now}`);
  }
  return changes;
}

// llama-server's flags start with "-"; a flag's value is the next word unless that is a flag too
function flagValues(args: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    if (!flag.startsWith("-")) continue;
    const next = args[i + 1];
    const hasValue = next !== undefined && !/^-[a-z-]/i.test(next);
    values.set(flag, values.has(flag) ? `${values.get(flag)} ${hasValue ? next : ""}`.trim() : hasValue ? next : "");
    if (hasValue) i++;
  }
  return values;
}
