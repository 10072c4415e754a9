import { resolve } from "node:path";
import type { CommandModule } from "yargs";
import { ProfileStore } from "../../../profiles/store.ts";
import { profileNameArgument } from "./profileNameArgument.ts";

interface ProfilesExportCommandOptions {
  name: string;
  file: string;
  force: boolean;
}

export const ProfilesExportCommand: CommandModule<object, ProfilesExportCommandOptions> = {
  command: "export <name> <file>",
  describe: "Write a profile to a JSON file, to share it or keep it with a model",
  builder: (yargs) =>
    yargs
      .positional("name", profileNameArgument)
      .positional("file", { type: "string", demandOption: true, description: "Destination .json file" })
      .option("force", { type: "boolean", default: false, description: "Replace the destination file if it exists" }),
  handler(argv) {
    const destination = resolve(argv.file);
    new ProfileStore().exportProfile(argv.name, destination, { overwrite: argv.force });
    process.stdout.write(`exported ${argv.name} to ${destination}\n`);
  },
};
