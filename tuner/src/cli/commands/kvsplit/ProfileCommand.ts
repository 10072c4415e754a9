import type { CommandModule } from "yargs";
import { readModelFacts } from "../../../model/gguf.ts";
import { profileFits } from "../../../profiles/fit.ts";
import { fallbackProfileName, servedModelPath } from "../../../server/launchPlan.ts";
import { formatProfileList } from "../profiles/formatProfiles.ts";
import {
  activeServerFrom,
  printStep,
  withForceOption,
  withServerOptions,
  type ServerOptions,
} from "./serverOptions.ts";

interface ProfileListOptions extends ServerOptions {
  json: boolean;
}

const ProfileListCommand: CommandModule<object, ProfileListOptions> = {
  command: "list",
  aliases: ["ls"],
  describe: "List the profiles that fit the model the server loads (the active one is marked *)",
  builder: (yargs) =>
    withServerOptions(
      yargs.option("json", {
        type: "boolean",
        default: false,
        description: "Print JSON: { model, active, profiles, otherModels, invalid }",
      }),
    ),
  async handler(argv) {
    const active = activeServerFrom(argv);
    const model = servedModelPath(active.settings);
    const facts = await readModelFacts(model);
    const { profiles, invalid } = active.store.list();
    const fitting = profiles.filter((profile) => profileFits(profile, facts));
    const activeName = active.store.activeProfileName() ?? fallbackProfileName;
    if (argv.json) {
      // profiles made for other models are named, so a caller can say why they are missing
      const otherModels = profiles.filter((profile) => !fitting.includes(profile)).map((profile) => profile.name);
      const listing = { model, active: activeName, profiles: fitting, otherModels, invalid };
      process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
      return;
    }
    process.stdout.write(formatProfileList(fitting, invalid, activeName));
  },
};

interface ProfileUseOptions extends ServerOptions {
  name: string;
  force: boolean;
}

const ProfileUseCommand: CommandModule<object, ProfileUseOptions> = {
  command: "use <name>",
  describe: "Make a profile active and restart the server with it if it runs",
  builder: (yargs) =>
    withForceOption(
      withServerOptions(
        yargs.positional("name", {
          type: "string",
          demandOption: true,
          description: "Profile name ('tuner profiles list')",
        }),
      ),
    ),
  async handler(argv) {
    const active = activeServerFrom(argv);
    const before = await active.manager.status();
    const server = await active.useProfile(argv.name, printStep, { force: argv.force });
    // a profile with the same flags as the running one (a copy under another name) needs no restart
    const kept = server !== undefined && before.state === "running" && before.server.pid === server.pid;
    const note =
      server === undefined
        ? ""
        : kept
          ? ` (llama-server already runs these flags, pid ${server.pid})`
          : ` (llama-server restarted, pid ${server.pid})`;
    process.stdout.write(`active profile: ${argv.name}${note}\n`);
  },
};

export const ProfileCommand: CommandModule = {
  command: "profile <command>",
  describe: "Choose the precision profile the server runs with",
  builder: (yargs) => yargs.command(ProfileListCommand).command(ProfileUseCommand).demandCommand(1),
  handler: () => {},
};
