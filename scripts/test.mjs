#!/usr/bin/env node
// npm test's vitest run: the integration project in one vitest process and the unit and extension projects in a
// second one beside it. Integration files run real llama.cpp processes on both cores, one file at a time; vitest
// runs every project whose files run one at a time in one shared queue, so within one process the quick unit and
// extension files would wait for the slow integration ones (vitest.config.ts). The two processes share nothing:
// every test takes its own temp directories and free loopback ports.
//
// usage: node scripts/test.mjs [vitest options]
//   Options and file filters go to both processes. With --project, one vitest process runs just what was asked.
//   A report file (--outputFile=report.json, --outputFile.json=report.json) is written once per process, with the
//   process's name before the extension: report.integration.json and report.unit+extension.json.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import process from "node:process";
import { URL, fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("..", import.meta.url));
const vitest = join(repo, "node_modules", "vitest", "vitest.mjs");
if (!existsSync(vitest)) fail(`vitest is not installed at ${vitest}: run 'npm run setup' first`);
const args = process.argv.slice(2);

const runs = args.some((arg) => arg === "--project" || arg.startsWith("--project="))
  ? [{ name: "", projects: [] }]
  : [
      { name: "integration", projects: ["integration"] },
      { name: "unit+extension", projects: ["unit", "extension"] },
    ];

const results = await Promise.all(runs.map((run, index) => runVitest(run, index === 0)));
const failed = results.filter((r) => r.code !== 0);
for (const { name, code } of failed) say(`vitest ${name} ${code === null ? "was killed" : `exited with code ${code}`}`);
process.exit(failed.length === 0 ? 0 : 1);

/**
 * One vitest process; the first streams its output, the others' output is held and printed in one piece when they
 * end, so two runs' lines never interleave.
 */
function runVitest({ name, projects }, streamed) {
  const runArgs = [
    vitest,
    "run",
    ...projects.flatMap((project) => ["--project", project]),
    ...args.map((arg) => (name ? reportPerRun(arg, name) : arg)),
    // a file filter may name files of one process only: the other finding none is no failure
    ...(name && args.some((arg) => !arg.startsWith("-")) ? ["--passWithNoTests"] : []),
  ];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, runArgs, {
      cwd: repo,
      stdio: streamed ? "inherit" : ["ignore", "pipe", "pipe"],
    });
    const held = [];
    if (!streamed) {
      child.stdout.on("data", (chunk) => held.push(chunk));
      child.stderr.on("data", (chunk) => held.push(chunk));
    }
    child.on("error", (error) => fail(`could not start vitest: ${error.message}`));
    child.on("close", (code) => {
      if (held.length > 0) {
        say(`vitest ${name}:`);
        process.stdout.write(Buffer.concat(held));
      }
      resolve({ name: name || "run", code });
    });
  });
}

/** `--outputFile[.reporter]=report.json` → `...=report.<name>.json`: each process writes its own report. */
function reportPerRun(arg, name) {
  const match = /^(--outputFile(?:\.[\w-]+)?=)(.+)$/.exec(arg);
  if (!match) return arg;
  const [, option, path] = match;
  const extension = extname(path);
  return `${option}${path.slice(0, path.length - extension.length)}.${name}${extension}`;
}

function say(message) {
  process.stderr.write(`test: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`test: error: ${message}\n`);
  process.exit(1);
}
