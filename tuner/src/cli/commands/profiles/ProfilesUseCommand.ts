import type { CommandModule } from "yargs";
import { ProfileStore } from "../../../profiles/store.ts";
import { profileNameArgument } from "./profileNameArgument.ts";

interface ProfilesUseCommandOptions {
  name: string;
}

export const ProfilesUseCommand: CommandModule<object, ProfilesUseCommandOptions> = {
  command: "use <name>",
  describe: "Make a profile the active one (the server and the Raycast extension start with it)",
  builder: (yargs) => yargs.positional("name", profileNameArgument),
  handler(argv) {
    const profile = new ProfileStore().setActiveProfile(argv.name);
    process.stdout.write(`active profile: ${profile.name}\n`);
  },
};
