import type { CommandModule } from "yargs";
import { profileToLlamaArgs } from "../../../profiles/args.ts";
import { ProfileStore } from "../../../profiles/store.ts";
import { profileNameArgument } from "./profileNameArgument.ts";

interface ProfilesShowCommandOptions {
  name: string;
  json: boolean;
}

export const ProfilesShowCommand: CommandModule<object, ProfilesShowCommandOptions> = {
  command: "show <name>",
  describe: "Print a profile and the llama.cpp flags that select it",
  builder: (yargs) =>
    yargs
      .positional("name", profileNameArgument)
      .option("json", { type: "boolean", default: false, description: "Print only the profile JSON" }),
  handler(argv) {
    const profile = new ProfileStore().get(argv.name);
    const json = `${JSON.stringify(profile, null, 2)}\n`;
    process.stdout.write(argv.json ? json : `${json}\nllama.cpp flags: ${profileToLlamaArgs(profile).join(" ")}\n`);
  },
};
