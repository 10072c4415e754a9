import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ActiveProfileFileInvalidError } from "./errors/ActiveProfileFileInvalidError.ts";
import { ActiveProfileMissingError } from "./errors/ActiveProfileMissingError.ts";
import { ActiveProfileRemoveError } from "./errors/ActiveProfileRemoveError.ts";
import { BuiltinProfileReadOnlyError } from "./errors/BuiltinProfileReadOnlyError.ts";
import { ExportDestinationExistsError } from "./errors/ExportDestinationExistsError.ts";
import { NotAnInvalidProfileFileError } from "./errors/NotAnInvalidProfileFileError.ts";
import { ProfileExistsError } from "./errors/ProfileExistsError.ts";
import { ProfileNotFoundError } from "./errors/ProfileNotFoundError.ts";
import { ProfileStore } from "./store.ts";
import { sampleSearchProfile } from "./testProfiles.ts";

function emptyStore(): ProfileStore {
  return new ProfileStore(mkdtempSync(join(tmpdir(), "kvsplit-store-")));
}

describe("ProfileStore", () => {
  it("saves a profile as <name>.json, leaving no temp file, and reads it back", () => {
    const store = emptyStore();
    const profile = sampleSearchProfile();
    const path = store.save(profile);
    expect(path).toBe(join(store.supportDir, "profiles", "gemma-tuned.json"));
    expect(readdirSync(store.directory)).toEqual(["gemma-tuned.json"]);
    expect(store.get("gemma-tuned")).toEqual(profile);
  });

  it("lists built-ins first, then saved profiles, and reports bad files without throwing", () => {
    const store = emptyStore();
    store.save(sampleSearchProfile({ name: "zeta" }));
    store.save(sampleSearchProfile({ name: "alpha" }));
    writeFileSync(join(store.directory, "broken.json"), "{ not json");
    writeFileSync(
      join(store.directory, "wrong.json"),
      JSON.stringify({ ...sampleSearchProfile(), cache: { mode: "x" } }),
    );
    writeFileSync(join(store.directory, "renamed.json"), JSON.stringify(sampleSearchProfile({ name: "other" })));
    // a hand-written file may not shadow a built-in
    writeFileSync(join(store.directory, "k8v4.json"), JSON.stringify(sampleSearchProfile({ name: "k8v4" })));
    // a temp file left by a crash is not a profile
    writeFileSync(join(store.directory, "alpha.json.tmp-1-abc"), "{");

    const { profiles, invalid } = store.list();
    expect(profiles.map((p) => p.name)).toEqual([
      "f16",
      "k8v8",
      "k8v4",
      "k4v8",
      "k4v4",
      "k8v3",
      "k8v2",
      "alpha",
      "zeta",
    ]);
    expect(invalid.map((f) => f.path)).toEqual(
      ["broken.json", "k8v4.json", "renamed.json", "wrong.json"].map((f) => join(store.directory, f)),
    );
    expect(invalid[0]!.message).toMatch(/JSON/);
    expect(invalid[1]!.message).toContain('cannot save "k8v4": it is a built-in profile');
    expect(invalid[2]!.message).toContain('holds profile "other"; expected "renamed"');
    expect(invalid[3]!.message).toContain("cache.mode");
  });

  it("refuses to save, remove or import over a built-in name", () => {
    const store = emptyStore();
    expect(() => store.save(sampleSearchProfile({ name: "k8v4" }))).toThrow(BuiltinProfileReadOnlyError);
    expect(() => store.remove("f16")).toThrow(BuiltinProfileReadOnlyError);
    expect(existsSync(store.directory)).toBe(false);
  });

  it("names the available profiles when one is missing", () => {
    const store = emptyStore();
    expect(() => store.get("nope")).toThrow(ProfileNotFoundError);
    expect(() => store.get("nope")).toThrow("expected one of: f16, k8v8, k8v4, k4v8, k4v4, k8v3, k8v2");
    expect(() => store.get("../etc/passwd")).toThrow(ProfileNotFoundError);
  });

  it("exports and imports a profile, marking it as imported and refusing to overwrite", () => {
    const from = emptyStore();
    const to = emptyStore();
    from.save(sampleSearchProfile());
    const file = join(from.supportDir, "shared", "tuned.json");
    from.exportProfile("gemma-tuned", file);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(sampleSearchProfile());

    const imported = to.importProfile(file);
    expect(imported.source).toBe("import");
    expect(to.get("gemma-tuned")).toEqual({ ...sampleSearchProfile(), source: "import" });
    expect(() => to.importProfile(file)).toThrow(ProfileExistsError);
    expect(to.importProfile(file, { name: "copy" }).name).toBe("copy");
    expect(() => to.importProfile(file, { name: "k4v4" })).toThrow(BuiltinProfileReadOnlyError);
  });

  it("keeps the active profile name, and refuses to remove the active profile", () => {
    const store = emptyStore();
    expect(store.activeProfileName()).toBeUndefined();
    expect(store.activeProfile()).toBeUndefined();
    store.setActiveProfile("k8v4");
    expect(store.activeProfileName()).toBe("k8v4");
    store.save(sampleSearchProfile());
    store.setActiveProfile("gemma-tuned");
    expect(JSON.parse(readFileSync(join(store.supportDir, "active-profile.json"), "utf8"))).toEqual({
      name: "gemma-tuned",
    });
    expect(() => store.setActiveProfile("missing")).toThrow(ProfileNotFoundError);
    expect(store.activeProfileName()).toBe("gemma-tuned");
    // removing it would quietly make the server f16
    expect(() => store.remove("gemma-tuned")).toThrow(ActiveProfileRemoveError);
    expect(store.get("gemma-tuned").name).toBe("gemma-tuned");
    store.setActiveProfile("f16");
    store.remove("gemma-tuned");
    expect(store.activeProfileName()).toBe("f16");
  });

  it("sets a profile already read active without reading it again", () => {
    const store = emptyStore();
    store.save(sampleSearchProfile());
    const profile = store.get("gemma-tuned");
    rmSync(store.pathOf("gemma-tuned")); // a second read would throw ProfileNotFoundError
    expect(store.setActiveProfile(profile)).toBe(profile);
    expect(store.activeProfileName()).toBe("gemma-tuned");
  });

  it("deletes a file the list shows as invalid, and by path nothing else", () => {
    const store = emptyStore();
    store.save(sampleSearchProfile());
    const broken = join(store.directory, "broken.json");
    writeFileSync(broken, "{ not json");
    const outside = join(store.supportDir, "other.json");
    writeFileSync(outside, "{ not json");
    expect(() => store.removeInvalidFile(store.pathOf("gemma-tuned"))).toThrow(NotAnInvalidProfileFileError);
    expect(() => store.removeInvalidFile(outside)).toThrow(/expected one the profile list shows as invalid/);
    store.removeInvalidFile(broken);
    expect(existsSync(broken)).toBe(false);
    expect(existsSync(store.pathOf("gemma-tuned"))).toBe(true);
    expect(existsSync(outside)).toBe(true);
  });

  it("calls a damaged active-profile file or a vanished active profile an error, never f16", () => {
    const store = emptyStore();
    store.save(sampleSearchProfile());
    store.setActiveProfile("gemma-tuned");
    rmSync(store.pathOf("gemma-tuned")); // deleted by hand
    expect(() => store.activeProfile()).toThrow(ActiveProfileMissingError);
    writeFileSync(join(store.supportDir, "active-profile.json"), "{ not json");
    expect(() => store.activeProfileName()).toThrow(ActiveProfileFileInvalidError);
    expect(() => store.activeProfile()).toThrow(/damaged.*kvsplit profile use/);
  });

  it("refuses to overwrite an export destination unless asked to", () => {
    const store = emptyStore();
    const destination = join(store.supportDir, "out.json");
    writeFileSync(destination, "keep me");
    expect(() => store.exportProfile("k8v4", destination)).toThrow(ExportDestinationExistsError);
    expect(readFileSync(destination, "utf8")).toBe("keep me");
    store.exportProfile("k8v4", destination, { overwrite: true });
    expect(JSON.parse(readFileSync(destination, "utf8")).name).toBe("k8v4");
  });

  it("names the shipped profile file to import when asked for a profile that ships but is not imported", () => {
    expect(() => emptyStore().get("gemma-3-270m-q4-k-m-1pct")).toThrow(
      /tuner profiles import .*bench\/results\/search-1pct\/profile\.json/,
    );
  });
});
