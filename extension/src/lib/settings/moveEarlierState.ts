import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  activeProfilePath,
  profilePath,
  profilesDir,
  searchReportDir,
  serverKeyPath,
  serverLockPath,
  serverLogPath,
  serverStatePath,
} from "@kvsplit/tuner/config";
import { readProfileFile, ProfileStore } from "@kvsplit/tuner/profiles/store";
import { writeFileAtomic } from "@kvsplit/tuner/util/atomicFile";

/** Left in the old folder once its state has moved, so the move runs once; it says where everything went. */
export const movedMarkerName = "moved-to-kvsplit-folder.txt";

/**
 * Versions before 0.2 kept their profiles, active profile and server state in Raycast's own folder for the
 * extension (`environment.supportPath`), which no terminal command reads. This moves them into the folder every
 * front end shares, once, losing nothing: a profile whose name is taken there with other content is kept under
 * `<name>-raycast`; the active profile and a running server move only where the shared folder has none of its own
 * (a server is found again by its server.json). Anything left behind stays where it was.
 */
export function moveEarlierState(from: string, to: string): void {
  if (from === to || !existsSync(from) || existsSync(join(from, movedMarkerName))) return;
  // a start or stop of the old extension is under way: move next time, not under its feet
  if (existsSync(serverLockPath(from))) return;
  mkdirSync(to, { recursive: true });
  const renamed = moveProfiles(from, to);
  moveIfAbsent(activeProfilePath(from), activeProfilePath(to), (content) => renamedActive(content, renamed));
  moveServerState(from, to);
  writeFileSync(join(from, movedMarkerName), `KVSplit's profiles and server state now live in ${to}\n`);
}

/** Moves each saved profile; returns the ones saved under another name (old name → new name). */
function moveProfiles(from: string, to: string): Map<string, string> {
  const renamed = new Map<string, string>();
  const source = profilesDir(from);
  if (!existsSync(source)) return renamed;
  mkdirSync(profilesDir(to), { recursive: true });
  const store = new ProfileStore(to);
  for (const file of readdirSync(source).filter((name) => name.endsWith(".json"))) {
    const path = join(source, file);
    const target = join(profilesDir(to), file);
    if (!existsSync(target)) {
      renameSync(path, target);
      moveIfAbsent(searchReportDir(file.slice(0, -5), from), searchReportDir(file.slice(0, -5), to));
      continue;
    }
    if (readFileSync(path, "utf8") === readFileSync(target, "utf8")) continue; // the same profile is there already
    const profile = tryRead(path);
    if (!profile) continue; // an unreadable file that clashes stays where it is
    const name = freeName(to, `${profile.name}-raycast`);
    store.save({ ...profile, name });
    renamed.set(profile.name, name);
  }
  return renamed;
}

function tryRead(path: string) {
  try {
    return readProfileFile(path);
  } catch {
    return undefined;
  }
}

function freeName(supportDir: string, base: string): string {
  let name = base;
  for (let n = 2; existsSync(profilePath(name, supportDir)); n++) name = `${base}-${n}`;
  return name;
}

/** active-profile.json names a profile by name: follow it when its profile moved under another name. */
function renamedActive(content: string, renamed: Map<string, string>): string {
  try {
    const { name } = JSON.parse(content) as { name?: string };
    const moved = name === undefined ? undefined : renamed.get(name);
    return moved ? JSON.stringify({ name: moved }) : content;
  } catch {
    return content;
  }
}

/**
 * server.json and the log move (a rename keeps the running server's log handle); server.key is copied, as the
 * running server's command line names the old key file and that is how a server without server.json is recognised.
 */
function moveServerState(from: string, to: string): void {
  if (!existsSync(serverStatePath(from)) || existsSync(serverStatePath(to))) return;
  if (existsSync(serverKeyPath(from)) && !existsSync(serverKeyPath(to))) {
    copyFileSync(serverKeyPath(from), serverKeyPath(to));
  }
  moveIfAbsent(serverLogPath(from), serverLogPath(to));
  // the running server's argv names the old key file, and its identity check compares the whole argv
  moveIfAbsent(serverStatePath(from), serverStatePath(to), (content) => withKeyFilePath(content, serverKeyPath(from)));
}

function withKeyFilePath(content: string, keyFilePath: string): string {
  try {
    const state = JSON.parse(content) as Record<string, unknown>;
    return JSON.stringify({ keyFilePath, ...state }, null, 2);
  } catch {
    return content; // unreadable: the new folder's manager finds the server by its command line, or not at all
  }
}

function moveIfAbsent(from: string, to: string, rewrite?: (content: string) => string): void {
  if (!existsSync(from) || existsSync(to)) return;
  if (!rewrite) return renameSync(from, to);
  // keep the source's permissions: server.json holds the API key and is owner-only
  writeFileAtomic(to, rewrite(readFileSync(from, "utf8")), { mode: statSync(from).mode & 0o777 });
  rmSync(from);
}
