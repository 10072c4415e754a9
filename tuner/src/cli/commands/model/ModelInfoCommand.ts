import type { CommandModule } from "yargs";
import { defaultModelPath } from "../../../config.ts";
import { readModelFacts } from "../../../model/gguf.ts";
import { formatModelInfo, modelInfoReport } from "./modelInfoReport.ts";

interface ModelInfoCommandOptions {
  model: string;
  ctx: number;
  json: boolean;
}

export const ModelInfoCommand: CommandModule<object, ModelInfoCommandOptions> = {
  command: "info",
  describe: "Show a model's K/V cache shape (layers, KV heads, sliding window), identity and K/V cost",
  builder: (yargs) =>
    yargs
      .option("model", { alias: "m", type: "string", default: defaultModelPath(), description: "GGUF model file" })
      .option("ctx", { type: "number", default: 4096, description: "Context size for the K/V cost table" })
      .option("json", { type: "boolean", default: false, description: "Print JSON for machines" })
      .check((argv) => {
        if (!Number.isInteger(argv.ctx) || argv.ctx < 1)
          throw new Error(`--ctx must be a positive integer, got ${argv.ctx}`);
        return true;
      }),
  async handler(argv) {
    const report = modelInfoReport(await readModelFacts(argv.model), argv.ctx);
    process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : formatModelInfo(report));
  },
};
