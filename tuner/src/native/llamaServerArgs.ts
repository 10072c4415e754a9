/** One llama-server: always on 127.0.0.1, one slot so the whole context serves one sequence. */
export interface LlamaServerRun {
  modelPath: string;
  port: number;
  ctx: number;
  threads: number;
  /** layers offloaded to the GPU; llama.cpp's default when absent */
  gpuLayers?: number;
  /** flags that go before the K/V flags: a chat template, the model's alias, --no-warmup */
  extraArgs?: readonly string[];
  /** the K/V flags as profileToLlamaArgs spells them (common/arg.cpp, flash attention on) */
  kvArgs: readonly string[];
}

/** llama-server's flags for one run; the managed server adds its access flags (accessArgs.ts) when it starts. */
export function llamaServerArgs(run: LlamaServerRun): string[] {
  return [
    ...["-m", run.modelPath, "--host", "127.0.0.1", "--port", String(run.port)],
    ...["-c", String(run.ctx), "-np", "1"],
    ...["-t", String(run.threads)],
    ...(run.gpuLayers !== undefined ? ["-ngl", String(run.gpuLayers)] : []),
    ...(run.extraArgs ?? []),
    ...run.kvArgs,
  ];
}
