import type { CommandModule } from "yargs";
import { ModelFetchCommand } from "./ModelFetchCommand.ts";
import { ModelInfoCommand } from "./ModelInfoCommand.ts";

export const ModelCommand: CommandModule = {
  command: "model",
  describe: "Fetch a GGUF model and show the facts KVSplit reads from it",
  builder: (yargs) =>
    yargs
      .command(ModelFetchCommand)
      .command(ModelInfoCommand)
      .demandCommand(1, "choose one of the model commands above"),
  handler() {
    // yargs runs the subcommand's handler
  },
};
