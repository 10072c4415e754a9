import type { CommandModule } from "yargs";
import { formatContextFit } from "./formatContextFit.ts";
import { formatServerStatus, serverStatusJson } from "./formatServerStatus.ts";
import {
  activeServerFrom,
  printStep,
  withForceOption,
  withServerOptions,
  type ServerOptions,
} from "./serverOptions.ts";

type ServerAction = "start" | "stop" | "status" | "restart";

interface ServerCommandOptions extends ServerOptions {
  action: ServerAction;
  force: boolean;
  json: boolean;
}

export const ServerCommand: CommandModule<object, ServerCommandOptions> = {
  command: "server <action>",
  describe: "Start, stop, restart or inspect the background llama-server",
  builder: (yargs) =>
    withForceOption(
      withServerOptions(
        yargs
          .positional("action", {
            choices: ["start", "stop", "status", "restart"] as const,
            demandOption: true,
            description: "What to do",
          })
          .option("json", {
            type: "boolean",
            default: false,
            description: "Print the status as JSON (the API key left out), for scripts",
          }),
      ),
    ),
  async handler(argv) {
    const active = activeServerFrom(argv);
    switch (argv.action) {
      case "start":
      case "restart": {
        const fit = await active.contextFit();
        if (fit) process.stdout.write(`${formatContextFit(fit)}\n`);
        const options = { force: argv.force };
        await (argv.action === "start" ? active.ensureRunning(printStep, options) : active.restart(printStep, options));
        break;
      }
      case "stop":
        process.stdout.write(`${stopMessages[await active.manager.stop()]}\n`);
        return;
      case "status":
        break;
    }
    const status = await active.manager.status(argv.port);
    process.stdout.write(
      argv.json
        ? `${JSON.stringify(serverStatusJson(status, active.manager.logPath))}\n`
        : `${formatServerStatus(status, active.manager.logPath)}\n`,
    );
    // a script asking "is the server up?" must not read a crash, or a foreign process on the port, as success
    if (status.state === "crashed" || status.state === "port-in-use") process.exitCode = 1;
  },
};

const stopMessages = {
  stopped: "stopped llama-server",
  "not-running": "llama-server was not running",
  "was-crashed": "llama-server had already exited (crashed or killed); forgot its record",
} as const;
