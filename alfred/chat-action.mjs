// The Text View's actions on the chat. Prints what Alfred passes on: the text to copy, or the question to ask anew.
//
// usage: node chat-action.mjs copy-answer | copy-chat | stop | new [question]
import { setTimeout as sleep } from "node:timers/promises";
import process from "node:process";
import {
  chatMarkdown,
  chatPaths,
  clearChat,
  finishStream,
  groupAlive,
  lastAnswer,
  readTurns,
  streamPid,
  writeFileAtomic,
} from "./chat-store.mjs";

const [action, question = ""] = process.argv.slice(2);
const paths = chatPaths();

switch (action) {
  case "copy-answer":
    process.stdout.write(lastAnswer(readTurns(paths)));
    break;
  case "copy-chat":
    process.stdout.write(chatMarkdown(readTurns(paths)));
    break;
  case "stop":
    await stopStream();
    break;
  case "new":
    await stopStream();
    clearChat(paths);
    process.stdout.write(question);
    break;
  default:
    process.stderr.write(`chat-action.mjs: unknown action "${action}"; expected copy-answer, copy-chat, stop or new\n`);
    process.exitCode = 2;
}

/**
 * SIGINT to the stream's process group: kvsplit stops the answer, keeps the text so far and closes its connection
 * (which is what makes llama-server stop generating); the server itself runs in a group of its own and stays.
 */
async function stopStream() {
  const pid = streamPid(paths);
  if (pid === undefined) return;
  signalGroup(pid, "SIGINT");
  const deadline = Date.now() + 10_000;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      signalGroup(pid, "SIGKILL");
      writeFileAtomic(paths.done, JSON.stringify({ exitCode: null, signal: "SIGKILL" }));
      break;
    }
    await sleep(50);
  }
  finishStream(paths);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== "ESRCH") throw error;
  }
}
