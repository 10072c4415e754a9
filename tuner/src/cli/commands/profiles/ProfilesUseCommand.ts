import type { CommandModule } from "yargs";
import { readModelFacts } from "../../../model/gguf.ts";
import { checkProfileFitsModel } from "../../../profiles/fit.ts";
import { ProfileStore } from "../../../profiles/store.ts";
import { planLaunch } from "../../../server/launchPlan.ts";
import { profileNameArgument } from "./profileNameArgument.ts";

interface ProfilesUseCommandOptions {
  name: string;
  model?: string;
}

export const ProfilesUseCommand: CommandModule<object, ProfilesUseCommandOptions> = {
  command: "use <name>",
  describe: "Make a profile the active one (the server and the Raycast extension start with it)",
  builder: (yargs) =>
    yargs.positional("name", profileNameArgument).option("model", {
      type: "string",
      description: "GGUF model the server loads, which the profile must fit (default: the server's default model)",
    }),
  async handler(argv) {
    const store = new ProfileStore();
    const profile = store.get(argv.name);
    // the same fit rule the server applies, so an active profile always starts
    checkProfileFitsModel(profile, await readModelFacts(planLaunch({ modelPath: argv.model }, profile).modelPath));
    store.setActiveProfile(profile);
    process.stdout.write(`active profile: ${profile.name}\n`);
  },
};
