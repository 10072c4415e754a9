// The detached process that streams one answer: runs `kvsplit ask` with the chat so far, its stdout (the answer
// as it arrives) and stderr going to the files this process was given, then records how it ended. Started by
// chat-view.mjs as the leader of its own process group, so that the stop action can reach kvsplit through it.
//
// usage: node chat-stream.mjs <question> <history file> <done file>   (stdout, stderr: the stream's files)
import { spawn } from "node:child_process";
import process from "node:process";
import { writeFileAtomic } from "./chat-store.mjs";

const [question, historyFile, doneFile] = process.argv.slice(2);

// the stop action's SIGINT is for kvsplit (it stops the answer and keeps the text); this process stays to record it
process.on("SIGINT", () => {});

const ask = spawn(
  "bash",
  [
    "-c",
    '. ./env.sh && kvsplit ask "$1" --history "$2" ${kvsplit_max_tokens:+--max-tokens "$kvsplit_max_tokens"}',
    "bash",
    question,
    historyFile,
  ],
  { stdio: ["ignore", "inherit", "inherit"] },
);
ask.once("error", (error) => {
  process.stderr.write(`kvsplit: could not run bash: ${error.message}\n`);
  writeFileAtomic(doneFile, JSON.stringify({ exitCode: null, signal: "spawn failed" }));
});
ask.once("exit", (exitCode, signal) => writeFileAtomic(doneFile, JSON.stringify({ exitCode, signal })));
