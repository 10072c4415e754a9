import type { CommandModule } from "yargs";
import { activeServerFrom, printStep, withServerOptions, type ServerOptions } from "./serverOptions.ts";

interface ProfileUseOptions extends ServerOptions {
  name: string;
}

const ProfileUseCommand: CommandModule<object, ProfileUseOptions> = {
  command: "use <name>",
  describe: "Make a profile active and restart the server with it if it runs",
  builder: (yargs) =>
    withServerOptions(
      yargs.positional("name", {
        type: "string",
        demandOption: true,
        description: "Profile name ('tuner profiles list')",
      }),
    ),
  async handler(argv) {
    const restarted = await activeServerFrom(argv).useProfile(argv.name, printStep);
    process.stdout.write(
      `active profile: ${argv.name}${restarted ? ` (llama-server restarted, pid ${restarted.pid})` : ""}\n`,
    );
  },
};

export const ProfileCommand: CommandModule = {
  command: "profile <command>",
  describe: "Choose the precision profile the server runs with",
  builder: (yargs) => yargs.command(ProfileUseCommand).demandCommand(1),
  handler: () => {},
};
