import type { CommandModule } from "yargs";
import { profileNameSchema } from "../../../profiles/schema.ts";
import { ProfileStore } from "../../../profiles/store.ts";

interface ProfilesImportCommandOptions {
  file: string;
  name?: string;
  force: boolean;
}

export const ProfilesImportCommand: CommandModule<object, ProfilesImportCommandOptions> = {
  command: "import <file>",
  describe: "Validate a profile JSON file and save it to the store",
  builder: (yargs) =>
    yargs
      .positional("file", { type: "string", demandOption: true, description: "Profile .json file" })
      .option("name", { type: "string", description: "Save under this name instead of the file's" })
      .option("force", { type: "boolean", default: false, description: "Replace a saved profile of the same name" })
      .check((argv) => {
        if (argv.name !== undefined && !profileNameSchema.safeParse(argv.name).success) {
          throw new Error(`--name must be lowercase letters and digits joined by - or _, got "${argv.name}"`);
        }
        return true;
      }),
  handler(argv) {
    const store = new ProfileStore();
    const profile = store.importProfile(argv.file, { name: argv.name, overwrite: argv.force });
    process.stdout.write(`imported ${profile.name} (${store.pathOf(profile.name)})\n`);
  },
};
