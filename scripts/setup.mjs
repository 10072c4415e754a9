#!/usr/bin/env node
// Brings a checkout to a working state: the OS packages the tests need (on x86-64 Linux: the aarch64 cross
// compiler and qemu for native/arm-check.sh, clang-19 for the Metal compile check, ccache), npm dependencies,
// KVSplit's patched llama.cpp, on x86-64 Linux its aarch64 cross build of test-backend-ops for the ARM check
// (native/arm-check.sh --build-only: a build, like the native one, so npm test only runs the cases), the default
// model (the tuner's) and the instruct model (the one Ask serves).
// Plain Node with no dependencies, because it runs before node_modules exists. Every step is skipped or
// reused when already done, so running it again is fast. Any failure stops it with a non-zero exit.
//
// usage: node scripts/setup.mjs [--quiet]
//   --quiet  print only the step names; a failing step's output is shown in full
import { spawnSync } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--quiet");
if (unknown.length > 0) {
  fail(`unknown option ${unknown.join(" ")}; expected none or --quiet`, 2);
}
const quiet = args.includes("--quiet");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

installSystemPackages();
if (dependenciesStale()) {
  step("installing npm dependencies (npm ci)", npm, ["ci", ...(quiet ? ["--no-audit", "--no-fund"] : [])]);
} else if (!quiet) {
  say("npm dependencies are up to date");
}
step("building KVSplit's llama.cpp (native/build.sh)", "bash", [join(repo, "native", "build.sh")]);
if (process.platform === "linux" && process.arch === "x64") {
  step("cross-compiling test-backend-ops for the ARM check (native/arm-check.sh --build-only)", "bash", [
    join(repo, "native", "arm-check.sh"),
    "--build-only",
  ]);
}
step("fetching the default model", process.execPath, [
  join(repo, "tuner", "bin", "tuner.mjs"),
  "model",
  "fetch",
  ...(quiet ? ["--quiet"] : []),
]);
step("fetching the instruct model for Ask", process.execPath, [
  join(repo, "tuner", "bin", "tuner.mjs"),
  "model",
  "fetch",
  "--source",
  "instruct",
  ...(quiet ? ["--quiet"] : []),
]);
if (!quiet) say("ready");

/**
 * The OS packages the tests use, by the command each provides. Only x86-64 Linux needs any: the ARM check
 * cross-compiles for aarch64 and runs under qemu there (an ARM machine runs the same cases natively, and macOS runs
 * Metal itself). Nothing runs when every command is already on PATH.
 */
function installSystemPackages() {
  if (process.platform !== "linux" || process.arch !== "x64") return;
  const packages = [
    { name: "g++-aarch64-linux-gnu", commands: [["aarch64-linux-gnu-g++"], ["aarch64-linux-gnu-gcc"]] },
    { name: "qemu-user", commands: [["qemu-aarch64", "qemu-aarch64-static"]] },
    { name: "clang-19", commands: [["clang-19"], ["clang++-19"]] },
    { name: "ccache", commands: [["ccache"]] },
  ];
  const missing = packages.filter((p) => !p.commands.every((anyOf) => anyOf.some(onPath))).map((p) => p.name);
  if (missing.length === 0) {
    if (!quiet) say(`OS packages are installed (${packages.map((p) => p.name).join(" ")})`);
    return;
  }
  const asRoot = process.getuid?.() === 0 ? [] : ["sudo"];
  const install = [...asRoot, "apt-get", "install", "-y", "--no-install-recommends", ...missing];
  const runThis = `run '${install.join(" ")}' (apt-get update first if apt cannot find them), then npm run setup`;
  if (!onPath("apt-get") || (asRoot.length > 0 && !onPath("sudo"))) {
    const tool = asRoot.length > 0 ? "apt-get or sudo" : "apt-get";
    fail(`missing OS packages ${missing.join(" ")}, and no ${tool} to install them with: ${runThis}`);
  }
  say(`installing ${missing.join(" ")} (apt-get)`);
  // sudo may ask for a password, so apt always runs on the terminal, even with --quiet
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const command of [[...asRoot, "apt-get", "update"], install]) {
    const result = spawnSync(command[0], command.slice(1), { stdio: "inherit", env });
    if (result.error || result.status !== 0) {
      fail(`'${command.join(" ")}' failed; ${runThis}`);
    }
  }
}

/** Whether an executable of that name is in one of PATH's directories (no shell: this runs before anything else). */
function onPath(command) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** node_modules is missing, or package-lock.json changed after the last install recorded its own copy. */
function dependenciesStale() {
  const installed = join(repo, "node_modules", ".package-lock.json");
  if (!existsSync(installed)) return true;
  return statSync(join(repo, "package-lock.json")).mtimeMs > statSync(installed).mtimeMs;
}

/** Runs one step from the repo root; quiet steps write to a log that is shown only if the step fails. */
function step(title, command, commandArgs) {
  say(title);
  if (!quiet) {
    const result = spawnSync(command, commandArgs, { cwd: repo, stdio: "inherit" });
    check(title, command, result);
    return;
  }
  const logDir = mkdtempSync(join(tmpdir(), "kvsplit-setup-"));
  const logPath = join(logDir, "step.log");
  const log = openSync(logPath, "w");
  let result;
  try {
    result = spawnSync(command, commandArgs, { cwd: repo, stdio: ["ignore", log, log] });
  } finally {
    closeSync(log);
  }
  if (result.error || result.status !== 0) process.stderr.write(readFileSync(logPath, "utf8"));
  rmSync(logDir, { recursive: true, force: true });
  check(title, command, result);
}

function check(title, command, result) {
  if (result.error) fail(`${title}: could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.status}`;
    fail(`${title}: ${command} ${how}; expected exit code 0`);
  }
}

function say(message) {
  process.stderr.write(`setup: ${message}\n`);
}

function fail(message, code = 1) {
  process.stderr.write(`setup: error: ${message}\n`);
  process.exit(code);
}
