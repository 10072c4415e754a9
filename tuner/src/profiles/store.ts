import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { activeProfilePath, appSupportDir, profilePath, profilesDir } from "../config.ts";
import { writeJsonAtomic } from "../util/atomicFile.ts";
import { builtinProfiles, findBuiltinProfile, isBuiltinProfileName } from "./builtins.ts";
import { ActiveProfileFileInvalidError } from "./errors/ActiveProfileFileInvalidError.ts";
import { ActiveProfileMissingError } from "./errors/ActiveProfileMissingError.ts";
import { ActiveProfileRemoveError } from "./errors/ActiveProfileRemoveError.ts";
import { ActiveProfileReplaceError } from "./errors/ActiveProfileReplaceError.ts";
import { BuiltinProfileReadOnlyError } from "./errors/BuiltinProfileReadOnlyError.ts";
import { ExportDestinationExistsError } from "./errors/ExportDestinationExistsError.ts";
import { InvalidProfileError } from "./errors/InvalidProfileError.ts";
import { NotAnInvalidProfileFileError } from "./errors/NotAnInvalidProfileFileError.ts";
import { ProfileExistsError } from "./errors/ProfileExistsError.ts";
import { ProfileFileNameMismatchError } from "./errors/ProfileFileNameMismatchError.ts";
import { ProfileNotFoundError } from "./errors/ProfileNotFoundError.ts";
import { parseProfile, profileNameSchema, type Profile } from "./schema.ts";
import { shippedProfileFile } from "./shipped.ts";

/** A file in the store that could not be read as a profile; listed, never thrown, so one bad file hides nothing. */
export interface InvalidProfileFile {
  path: string;
  message: string;
}

export interface ProfileListing {
  /** built-ins first, then saved profiles by name */
  profiles: Profile[];
  invalid: InvalidProfileFile[];
}

export interface ImportOptions {
  /** save under this name instead of the one in the file */
  name?: string;
  /** replace a saved profile of the same name. Defaults to `false`. */
  overwrite?: boolean;
}

const activeProfileFileSchema = z.object({ name: profileNameSchema });

/**
 * Precision profiles on disk: `<supportDir>/profiles/<name>.json`, plus the built-ins, which live in code.
 * Every write is atomic (temp file + rename), so a crash never leaves half a profile.
 */
export class ProfileStore {
  constructor(readonly supportDir: string = appSupportDir()) {}

  get directory(): string {
    return profilesDir(this.supportDir);
  }

  pathOf(name: string): string {
    return profilePath(name, this.supportDir);
  }

  list(): ProfileListing {
    const saved: Profile[] = [];
    const invalid: InvalidProfileFile[] = [];
    for (const path of this.savedFiles()) {
      try {
        const name = basename(path, ".json");
        if (isBuiltinProfileName(name)) throw new BuiltinProfileReadOnlyError(name, "save");
        saved.push(readProfileFile(path, name));
      } catch (error) {
        invalid.push({ path, message: error instanceof Error ? error.message : String(error) });
      }
    }
    saved.sort((a, b) => a.name.localeCompare(b.name));
    return { profiles: [...builtinProfiles, ...saved], invalid };
  }

  get(name: string): Profile {
    const builtin = findBuiltinProfile(name);
    if (builtin) return builtin;
    const path = this.pathOf(name);
    if (!profileNameSchema.safeParse(name).success || !existsSync(path)) {
      throw new ProfileNotFoundError(
        name,
        this.list().profiles.map((profile) => profile.name),
        shippedProfileFile(name),
      );
    }
    return readProfileFile(path, name);
  }

  /** Validates and writes the profile; replaces a saved one of the same name. Returns the file path. */
  save(profile: Profile): string {
    const valid = parseProfile(profile, `profile "${String(profile.name)}"`);
    if (isBuiltinProfileName(valid.name)) {
      throw new BuiltinProfileReadOnlyError(valid.name, "save");
    }
    const path = this.pathOf(valid.name);
    writeJsonAtomic(path, valid);
    return path;
  }

  /** Deletes a saved profile; the active one is refused (removing it would quietly switch the server to f16). */
  remove(name: string): void {
    if (isBuiltinProfileName(name)) {
      throw new BuiltinProfileReadOnlyError(name, "remove");
    }
    this.get(name);
    if (this.activeProfileName() === name) throw new ActiveProfileRemoveError(name);
    rmSync(this.pathOf(name));
  }

  /** Deletes a file that `list` reports as invalid (it cannot be read as a profile, so it has no name to remove). */
  removeInvalidFile(path: string): void {
    if (!this.list().invalid.some((file) => resolve(file.path) === resolve(path))) {
      throw new NotAnInvalidProfileFileError(path, this.directory);
    }
    rmSync(path);
  }

  /** Writes the profile to `destination`; an existing file is replaced only with `overwrite`. */
  exportProfile(name: string, destination: string, options: { overwrite?: boolean } = {}): void {
    const profile = this.get(name);
    if (!options.overwrite && existsSync(destination)) throw new ExportDestinationExistsError(destination);
    writeJsonAtomic(destination, profile);
  }

  /** Reads a profile file from anywhere and saves it with `source: "import"`. */
  importProfile(sourcePath: string, options: ImportOptions = {}): Profile {
    const profile = readProfileFile(sourcePath);
    const imported = parseProfile(
      { ...profile, name: options.name ?? profile.name, source: "import" },
      `${sourcePath} (imported as "${options.name ?? profile.name}")`,
    );
    if (isBuiltinProfileName(imported.name)) {
      throw new BuiltinProfileReadOnlyError(imported.name, "import");
    }
    const target = this.pathOf(imported.name);
    if (!options.overwrite && existsSync(target)) {
      throw new ProfileExistsError(imported.name, target);
    }
    if (this.activeProfileName() === imported.name) throw new ActiveProfileReplaceError(imported.name);
    this.save(imported);
    return imported;
  }

  /**
   * The name in `active-profile.json`, or undefined when none was chosen. A damaged file is an error, never
   * "none chosen": that would quietly restart a k8v4 server as f16.
   */
  activeProfileName(): string | undefined {
    const path = activeProfilePath(this.supportDir);
    if (!existsSync(path)) return undefined;
    try {
      return activeProfileFileSchema.parse(JSON.parse(readFileSync(path, "utf8"))).name;
    } catch (error) {
      throw new ActiveProfileFileInvalidError(path, error instanceof Error ? error.message : String(error));
    }
  }

  /** The active profile, or undefined when none was chosen; one that is gone or invalid is an error. */
  activeProfile(): Profile | undefined {
    const name = this.activeProfileName();
    if (name === undefined) return undefined;
    try {
      return this.get(name);
    } catch (error) {
      throw new ActiveProfileMissingError(name, error instanceof Error ? error.message : String(error));
    }
  }

  /**
   * Makes a profile the active one: a name is read first (it must exist); a profile that `get` already returned is
   * not read again.
   */
  setActiveProfile(nameOrProfile: string | Profile): Profile {
    const profile = typeof nameOrProfile === "string" ? this.get(nameOrProfile) : nameOrProfile;
    writeJsonAtomic(activeProfilePath(this.supportDir), { name: profile.name });
    return profile;
  }

  private savedFiles(): string[] {
    if (!existsSync(this.directory)) return [];
    return readdirSync(this.directory)
      .filter((file) => file.endsWith(".json"))
      .sort()
      .map((file) => join(this.directory, file));
  }
}

/** A per-layer profile of a 200-layer model is about 10 KiB; anything this large is not a profile. */
const maxProfileFileBytes = 1024 * 1024;

/** Reads and validates one profile file; with `expectedName`, the profile inside must carry that name. */
export function readProfileFile(path: string, expectedName?: string): Profile {
  let json: unknown;
  try {
    // a device (/dev/zero) or a huge file would be read whole before JSON.parse could refuse it
    const stat = statSync(path);
    if (!stat.isFile()) throw new Error("it is not a regular file");
    if (stat.size > maxProfileFileBytes) {
      throw new Error(`it has ${stat.size} bytes; expected at most ${maxProfileFileBytes} (a profile is a few KiB)`);
    }
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InvalidProfileError(path, error instanceof Error ? error.message : String(error));
  }
  const profile = parseProfile(json, path);
  if (expectedName !== undefined && profile.name !== expectedName) {
    throw new ProfileFileNameMismatchError(path, expectedName, profile.name);
  }
  return profile;
}
