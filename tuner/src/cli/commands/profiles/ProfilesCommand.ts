import type { CommandModule } from "yargs";
import { ProfilesExportCommand } from "./ProfilesExportCommand.ts";
import { ProfilesImportCommand } from "./ProfilesImportCommand.ts";
import { ProfilesListCommand } from "./ProfilesListCommand.ts";
import { ProfilesRmCommand } from "./ProfilesRmCommand.ts";
import { ProfilesShowCommand } from "./ProfilesShowCommand.ts";
import { ProfilesUseCommand } from "./ProfilesUseCommand.ts";

export const ProfilesCommand: CommandModule = {
  command: "profiles",
  describe: "List, show, remove, export and import precision profiles",
  builder: (yargs) =>
    yargs
      .command(ProfilesListCommand)
      .command(ProfilesShowCommand)
      .command(ProfilesUseCommand)
      .command(ProfilesRmCommand)
      .command(ProfilesExportCommand)
      .command(ProfilesImportCommand)
      .demandCommand(1, "choose one of the profiles commands above"),
  handler() {
    // yargs runs the subcommand's handler
  },
};
