// The chat kept by the KVSplit Alfred workflow, and the files of the answer being streamed. Plain Node without
// dependencies: the workflow runs from Alfred's folder, outside the checkout's node_modules.
//
// alfred_workflow_data/chat.json   the turns: {question, answer, status, note}; status is "answering", "done",
//                                   "stopped" or "failed" (note: kvsplit's last word, its stats or its reason)
// alfred_workflow_cache/stream.*   one answer on its way: .txt the text so far (kvsplit ask's stdout), .log its
//                                   stderr, .pid the streaming process (leader of its process group), .done how it
//                                   ended ({exitCode, signal}), .history.json the earlier turns it was sent
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";

/** The workflow's folders, from the variables Alfred sets; Alfred does not create them. */
export function chatPaths(env = process.env) {
  const data = required(env, "alfred_workflow_data");
  const cache = required(env, "alfred_workflow_cache");
  mkdirSync(data, { recursive: true });
  mkdirSync(cache, { recursive: true });
  const stream = (suffix) => join(cache, `stream.${suffix}`);
  return {
    chat: join(data, "chat.json"),
    text: stream("txt"),
    log: stream("log"),
    pid: stream("pid"),
    done: stream("done"),
    history: stream("history.json"),
  };
}

function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: run this script from Alfred (it sets the workflow's folders)`);
  return value;
}

export function readTurns(paths) {
  if (!existsSync(paths.chat)) return [];
  let turns;
  try {
    turns = JSON.parse(readFileSync(paths.chat, "utf8"));
  } catch (error) {
    throw new Error(`${paths.chat} is not a chat (${error.message}): ⌘↩ starts a new one; the file is left as it is`);
  }
  if (!Array.isArray(turns)) {
    throw new Error(
      `${paths.chat} is not a chat (expected a list of turns): ⌘↩ starts a new one; the file is left as it is`,
    );
  }
  return turns;
}

/** Temp file and rename: a reader (the Text View's next rerun, a copy action) never sees half a chat. */
export function writeFileAtomic(path, content) {
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, content);
  renameSync(temp, path);
}

export function writeTurns(paths, turns) {
  writeFileAtomic(paths.chat, `${JSON.stringify(turns, null, 1)}\n`);
}

export function clearChat(paths) {
  rmSync(paths.chat, { force: true });
}

/** Turns with an answer worth keeping: sent again as history, copied. A failed turn's text is kvsplit's error. */
const answered = (turn) => (turn.status === "done" || turn.status === "stopped") && turn.answer.length > 0;

/** The earlier questions and answers, as `kvsplit ask --history` reads them. */
export function historyMessages(turns) {
  return turns.filter(answered).flatMap((turn) => [
    { role: "user", content: turn.question },
    { role: "assistant", content: turn.answer },
  ]);
}

export function lastAnswer(turns) {
  return turns.filter(answered).at(-1)?.answer ?? "";
}

/** The chat as Markdown, for the clipboard: only what the model said, never an error. */
export function chatMarkdown(turns) {
  return turns
    .filter(answered)
    .map((turn) => `### ${turn.question}\n\n${turn.answer}${turn.status === "stopped" ? " [stopped]" : ""}`)
    .join("\n\n");
}

/** The chat as the Text View shows it. The answer on its way is left out: it is drawn after it as it arrives. */
export function chatView(turns) {
  return turns
    .map((turn) => `### ${turn.question}\n\n${turn.status === "answering" ? "" : `${answerView(turn)}\n\n`}`)
    .join("");
}

export function answerView(turn) {
  if (turn.status === "failed") return `${turn.answer ? `${turn.answer}\n\n` : ""}[${turn.note}]`;
  return `${turn.answer}${turn.status === "stopped" ? " [stopped]" : ""}`;
}

/** Whether any process of the streaming process's group is alive (kill 0 sends nothing, it only checks). */
export function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

export function streamPid(paths) {
  if (!existsSync(paths.pid)) return undefined;
  return Number(readFileSync(paths.pid, "utf8"));
}

/** What kvsplit printed on stderr last ("kvsplit: starting llama-server…", its stats, its reason), unprefixed. */
export function lastLogLine(paths) {
  if (!existsSync(paths.log)) return "";
  const lines = readFileSync(paths.log, "utf8").trim().split("\n");
  return (lines.at(-1) ?? "").replace(/^kvsplit: /, "");
}

/**
 * Ends the stream when its process has: the answer goes into the chat and the stream's files are removed.
 * Returns the finished turn, or undefined while the answer is still coming (or when there is no stream). Taking
 * the .done file by renaming it makes one caller the finisher when the Text View and the stop action race.
 */
export function finishStream(paths) {
  const pid = streamPid(paths);
  if (pid === undefined) return undefined;
  if (!existsSync(paths.done) && !groupAlive(pid)) {
    // killed with it (kill -9, a reboot): no exit status was written
    writeFileAtomic(paths.done, JSON.stringify({ exitCode: null, signal: "lost" }));
  }
  const taken = `${paths.done}.taken-${process.pid}`;
  try {
    renameSync(paths.done, taken);
  } catch (error) {
    if (error.code === "ENOENT") return undefined;
    throw error;
  }
  const { exitCode, signal } = JSON.parse(readFileSync(taken, "utf8"));
  const answer = existsSync(paths.text) ? readFileSync(paths.text, "utf8").trim() : "";
  const said = lastLogLine(paths);
  const turns = readTurns(paths);
  const turn = turns.at(-1);
  if (turn?.status === "answering") {
    turn.answer = answer;
    // kvsplit ask exits 130 when it is stopped (SIGINT), keeping the text so far
    turn.status =
      exitCode === 0 ? "done" : exitCode === 130 || signal === "SIGINT" || signal === "SIGKILL" ? "stopped" : "failed";
    turn.note =
      turn.status === "failed"
        ? said || `kvsplit ended without a word (exit status ${exitCode ?? signal})`
        : said.replace(/ · stopped$/, "");
    writeTurns(paths, turns);
  }
  for (const path of [paths.text, paths.log, paths.pid, paths.history, taken]) rmSync(path, { force: true });
  return turn;
}
