/// <reference types="@raycast/api">

/* 🚧 🚧 🚧
 * This file is auto-generated from the extension's manifest.
 * Do not modify manually. Instead, update the `package.json` file.
 * 🚧 🚧 🚧 */

/* eslint-disable @typescript-eslint/ban-types */

type ExtensionPreferences = {
  /** Model File - GGUF model the server loads; empty for SmolLM2 135M Instruct (fetched by npm run setup), which answers with its own chat template */
  "modelPath"?: string,
  /** llama-server Path - The patched llama-server binary; empty for native/bin/llama-server of the KVSplit checkout */
  "llamaServerPath"?: string,
  /** KVSplit Folder - Profiles, the active profile and the server's state; empty for ~/Library/Application Support/kvsplit, the folder the tuner and kvsplit commands and the Alfred workflow use */
  "supportDir"?: string,
  /** Port - Loopback port of the server */
  "port": string,
  /** Context Size - Context length in tokens */
  "contextSize": string,
  /** K/V Memory Limit - e.g. 64MiB: the server gets the longest context whose K/V cache fits, for the active profile (Context Size is then not used); empty for no limit */
  "kvMemory"?: string,
  /** Threads - CPU threads; empty for llama.cpp's choice */
  "threads"?: string,
  /** GPU Layers - Layers offloaded to the GPU; empty for llama.cpp's choice */
  "gpuLayers"?: string,
  /** Max Answer Tokens - Stop an answer after this many tokens (at least 1) */
  "maxTokens": string,
  /** System Prompt - Sent before every conversation; empty for none, which leaves the model's chat template its own */
  "systemPrompt": string
}

/** Preferences accessible in all the extension's commands */
declare type Preferences = ExtensionPreferences

declare namespace Preferences {
  /** Preferences accessible in the `ask-local-model` command */
  export type AskLocalModel = ExtensionPreferences & {}
  /** Preferences accessible in the `choose-precision-profile` command */
  export type ChoosePrecisionProfile = ExtensionPreferences & {}
  /** Preferences accessible in the `local-model-server` command */
  export type LocalModelServer = ExtensionPreferences & {}
  /** Preferences accessible in the `server-action` command */
  export type ServerAction = ExtensionPreferences & {}
}

declare namespace Arguments {
  /** Arguments passed to the `ask-local-model` command */
  export type AskLocalModel = {
  /** Question */
  "prompt": string
}
  /** Arguments passed to the `choose-precision-profile` command */
  export type ChoosePrecisionProfile = {}
  /** Arguments passed to the `local-model-server` command */
  export type LocalModelServer = {}
  /** Arguments passed to the `server-action` command */
  export type ServerAction = {}
}

