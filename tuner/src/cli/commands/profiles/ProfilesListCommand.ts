import type { CommandModule } from "yargs";
import { ProfileStore } from "../../../profiles/store.ts";
import { formatProfileList } from "./formatProfiles.ts";

interface ProfilesListCommandOptions {
  json: boolean;
}

export const ProfilesListCommand: CommandModule<object, ProfilesListCommandOptions> = {
  command: "list",
  aliases: ["ls"],
  describe:
    "List built-in and saved profiles (the active one is marked *); unreadable files are listed with the reason",
  builder: (yargs) =>
    yargs.option("json", { type: "boolean", default: false, description: "Print JSON: { active, profiles, invalid }" }),
  handler(argv) {
    const store = new ProfileStore();
    const { profiles, invalid } = store.list();
    const active = store.activeProfileName();
    process.stdout.write(
      argv.json
        ? `${JSON.stringify({ active, profiles, invalid }, null, 2)}\n`
        : formatProfileList(profiles, invalid, active),
    );
  },
};
