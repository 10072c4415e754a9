import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

/**
 * Builds real wheel files (zips with dist-info metadata) holding the given parts, so PyPI model sources can be
 * tested with the real pip against a local `--find-links` directory instead of the network.
 */
export async function buildPartWheels(
  project: string,
  parts: Buffer[],
): Promise<{ wheelDir: string; requirements: string[] }> {
  const root = mkdtempSync(join(tmpdir(), "kvsplit-wheels-"));
  const wheelDir = join(root, "wheels");
  mkdirSync(wheelDir);
  const requirements: string[] = [];
  for (const [index, bytes] of parts.entries()) {
    const distribution = `${project}_part${index + 1}`;
    const tree = join(root, distribution);
    mkdirSync(join(tree, distribution, "data"), { recursive: true });
    mkdirSync(join(tree, `${distribution}-1.0.0.dist-info`));
    writeFileSync(join(tree, distribution, "data", `model.gguf.part0${index}`), bytes);
    writeFileSync(
      join(tree, `${distribution}-1.0.0.dist-info`, "METADATA"),
      `Metadata-Version: 2.1\nName: ${distribution.replaceAll("_", "-")}\nVersion: 1.0.0\n`,
    );
    writeFileSync(
      join(tree, `${distribution}-1.0.0.dist-info`, "WHEEL"),
      "Wheel-Version: 1.0\nGenerator: kvsplit-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    );
    const wheel = join(wheelDir, `${distribution}-1.0.0-py3-none-any.whl`);
    await execa("python3", [
      "-m",
      "zipfile",
      "-c",
      wheel,
      join(tree, distribution),
      join(tree, `${distribution}-1.0.0.dist-info`),
    ]);
    requirements.push(`${distribution.replaceAll("_", "-")}==1.0.0`);
  }
  return { wheelDir, requirements };
}
