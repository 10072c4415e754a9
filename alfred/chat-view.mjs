// The script of the workflow's Text View (Alfred 5.5), in Alfred's Text View JSON format
// (https://www.alfredapp.com/help/workflows/user-interface/text/json/), designed as Alfred's own ChatGPT workflow
// is: a question starts a detached process that streams kvsplit's answer into a file in alfred_workflow_cache;
// Alfred reruns this script every `rerun` seconds, and each run shows the answer so far, until it is done.
//
// usage (run by kva-view.sh): node chat-view.mjs <question, or "" to show the chat>
// variables: streaming_now=1 while reruns read the stream; stream_marker=1 for the run that appends the answer's
// place after the chat (the later runs replace that last part: behaviour.response "replacelast")
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import process from "node:process";
import {
  answerView,
  chatPaths,
  chatView,
  finishStream,
  historyMessages,
  lastLogLine,
  readTurns,
  streamPid,
  writeFileAtomic,
  writeTurns,
} from "./chat-store.mjs";

const rerunSeconds = 0.1;
const keys = "↩ Ask · ⌘↩ New chat · ⌥↩ Copy answer · ⌃↩ Copy chat · ⇧↩ Stop";

const question = (process.argv[2] ?? "").trim();
const paths = chatPaths();
process.stdout.write(`${JSON.stringify(failureShown(textView))}\n`);

/** What went wrong is shown in the view (a script that only fails would leave it blank). */
function failureShown(view) {
  try {
    return view();
  } catch (error) {
    return { response: `[${error.message}]`, footer: keys, variables: { streaming_now: "0" } };
  }
}

function textView() {
  if (process.env.streaming_now === "1") return streamingView();
  finishStream(paths); // an answer that ended while the view was closed
  const turns = readTurns(paths);
  if (streamPid(paths) !== undefined) {
    // the view was opened again while an answer is on its way: show the chat, then go on streaming below it
    return {
      rerun: rerunSeconds,
      variables: { streaming_now: "1", stream_marker: "1" },
      response: chatView(turns),
      footer: question ? "An answer is still on its way: wait for it, or stop it (⇧↩), to ask again" : keys,
      behaviour: { scroll: "end" },
    };
  }
  if (!question) {
    return {
      response: turns.length > 0 ? chatView(turns) : "Ask the local model a question.",
      footer: keys,
      variables: { streaming_now: "0" },
      behaviour: { scroll: "end" },
    };
  }
  return startAnswer(turns);
}

function startAnswer(turns) {
  writeFileAtomic(paths.history, JSON.stringify(historyMessages(turns)));
  const asking = [...turns, { question, answer: "", status: "answering", note: "" }];
  writeTurns(paths, asking);
  // stdout and stderr are files the next runs read; detached: the stream outlives this run and Alfred's wait for it
  const text = openSync(paths.text, "w");
  const log = openSync(paths.log, "w");
  const stream = spawn(process.execPath, ["./chat-stream.mjs", question, paths.history, paths.done], {
    detached: true,
    stdio: ["ignore", text, log],
  });
  writeFileAtomic(paths.pid, String(stream.pid));
  stream.unref();
  closeSync(text);
  closeSync(log);
  return {
    rerun: rerunSeconds,
    variables: { streaming_now: "1", stream_marker: "1" },
    response: chatView(asking),
    footer: keys,
    behaviour: { scroll: "end" },
  };
}

function streamingView() {
  if (process.env.stream_marker === "1") {
    return {
      rerun: rerunSeconds,
      variables: { streaming_now: "1", stream_marker: "0" },
      response: "…",
      behaviour: { response: "append", scroll: "end" },
    };
  }
  const finished = finishStream(paths);
  if (finished === undefined && streamPid(paths) !== undefined) {
    const text = readText();
    return {
      rerun: rerunSeconds,
      variables: { streaming_now: "1" },
      response: text || "…",
      // before the first word: what kvsplit is doing ("starting llama-server…")
      footer: text ? keys : lastLogLine(paths) || keys,
      behaviour: { response: "replacelast", scroll: "end" },
    };
  }
  // finished here, or by the stop action: the chat holds the turn
  const turn = finished ?? readTurns(paths).at(-1);
  return {
    response: turn ? answerView(turn) : "",
    footer: turn?.status === "failed" ? "kvsplit could not answer · ⌘↩ New chat" : (turn?.note ?? keys),
    variables: { streaming_now: "0" },
    behaviour: { response: "replacelast", scroll: "end" },
  };
}

function readText() {
  try {
    return readFileSync(paths.text, "utf8").trim();
  } catch {
    return ""; // finished and removed between the two looks
  }
}
