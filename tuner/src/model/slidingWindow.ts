import { UnsupportedSlidingWindowError } from "./errors/UnsupportedSlidingWindowError.ts";

/**
 * Which layers attend through a sliding window, as llama.cpp decides it (src/models/<arch>.cpp calling
 * llama_hparams::set_swa_pattern). A period n means: of every n layers, the last is full attention,
 * the others are sliding-window, unless dense comes first. The GGUF key `<arch>.attention.sliding_window_pattern`
 * overrides the period (a number) or lists every layer (an array of booleans).
 */
interface SwaRule {
  period: number;
  denseFirst: boolean;
}

// Default periods from llama.cpp v0.4.0 src/models/*.cpp (gemma3.cpp: `uint32_t swa_period = 6`).
const swaRules: Record<string, SwaRule> = {
  gemma2: { period: 2, denseFirst: false },
  gemma3: { period: 6, denseFirst: false },
  cohere2: { period: 4, denseFirst: false },
  llama4: { period: 4, denseFirst: false },
  "gpt-oss": { period: 2, denseFirst: false },
  exaone4: { period: 4, denseFirst: false },
  olmo2: { period: 4, denseFirst: false },
};

/** true for every layer that uses the sliding window (llama_hparams::is_swa). */
export function slidingWindowLayers(architecture: string, nLayer: number, pattern: unknown): boolean[] {
  if (Array.isArray(pattern)) {
    return Array.from({ length: nLayer }, (_, layer) => pattern[layer] === true);
  }
  const rule = swaRules[architecture];
  if (!rule) {
    throw new UnsupportedSlidingWindowError(architecture, Object.keys(swaRules));
  }
  const period = typeof pattern === "number" ? pattern : rule.period;
  return Array.from({ length: nLayer }, (_, layer) => isSwaLayer(layer, period, rule.denseFirst));
}

// llama_hparams::set_swa_pattern; a period of 0 makes every layer sliding-window
function isSwaLayer(layer: number, period: number, denseFirst: boolean): boolean {
  if (period === 0) return true;
  return denseFirst ? layer % period !== 0 : layer % period < period - 1;
}
