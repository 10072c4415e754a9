import type { CommandModule } from "yargs";
import { ProfileStore } from "../../../profiles/store.ts";
import { profileNameArgument } from "./profileNameArgument.ts";

interface ProfilesRmCommandOptions {
  name: string;
}

export const ProfilesRmCommand: CommandModule<object, ProfilesRmCommandOptions> = {
  command: "rm <name>",
  aliases: ["remove"],
  describe: "Delete a saved profile (built-ins cannot be removed)",
  builder: (yargs) => yargs.positional("name", profileNameArgument),
  handler(argv) {
    const store = new ProfileStore();
    const path = store.pathOf(argv.name);
    store.remove(argv.name);
    process.stdout.write(`removed ${argv.name} (${path})\n`);
  },
};
