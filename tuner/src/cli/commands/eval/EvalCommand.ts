import type { CommandModule } from "yargs";
import { evaluate } from "../../../eval/evaluate.ts";
import { checkKvBytes } from "../../../eval/kvCheck.ts";
import { settingFromProfile } from "../../../eval/kvSetting.ts";
import { measureRetrieval } from "../../../eval/retrieval.ts";
import { buildLabel } from "../../../native/buildInfo.ts";
import { profileToLlamaArgs } from "../../../profiles/args.ts";
import { loadProfileRef } from "../../../profiles/load.ts";
import { kvBitsList, kvTypeFromBits, parseKvType, uniformProfile } from "../../kvFlags.ts";
import { prepareMeasurement, withMeasurementOptions, type MeasurementOptions } from "../../measurementOptions.ts";
import { createProgressBar } from "../../ui/progress.ts";
import { formatEvalTable, type EvalReport } from "../../ui/evalTable.ts";

interface EvalCommandOptions extends MeasurementOptions {
  profile?: string;
  k?: string;
  v?: string;
  kvqKey?: number;
  kvqVal?: number;
  json: boolean;
  fresh: boolean;
  passkey: number[];
  passkeyTrials: number;
}

export const EvalCommand: CommandModule<object, EvalCommandOptions> = {
  command: "eval",
  describe: "Perplexity, KL-divergence vs f16 and measured K/V bytes of one K/V setting",
  builder: (yargs) =>
    withMeasurementOptions(yargs, { chunks: 8, chunksDescription: "Chunks scored" })
      .option("profile", {
        type: "string",
        description: "A saved or built-in profile name, or a profile file",
        group: "Setting:",
      })
      .option("k", { type: "string", description: "K cache type (with --v)", group: "Setting:" })
      .option("v", { type: "string", description: "V cache type (with --k)", group: "Setting:" })
      .option("kvqKey", {
        alias: "kvq-key",
        type: "number",
        description: `K cache bits: ${kvBitsList}`,
        group: "Setting:",
      })
      .option("kvqVal", {
        alias: "kvq-val",
        type: "number",
        description: `V cache bits: ${kvBitsList}`,
        group: "Setting:",
      })
      .option("passkey", {
        type: "array",
        default: [],
        coerce: (values: (string | number)[]) =>
          values
            .flatMap((v) => String(v).split(","))
            .map((v) => {
              const n = Number(v);
              if (!Number.isInteger(n) || n < 256) throw new Error(`--passkey takes lengths ≥ 256 tokens, got '${v}'`);
              return n;
            }),
        description: "Also ask the passkey at these lengths (e.g. 4096,8192), with this setting and with f16",
        group: "Measurement:",
      })
      .option("passkeyTrials", {
        alias: "passkey-trials",
        type: "number",
        default: 3,
        description: "Passkey trials per length (key depths spread over the context)",
        group: "Measurement:",
      })
      .option("json", { type: "boolean", default: false, description: "Print JSON for machines" })
      .option("fresh", { type: "boolean", default: false, description: "Measure again instead of using the cache" })
      .check((argv) => {
        const chosen = [
          argv.profile !== undefined,
          argv.k !== undefined || argv.v !== undefined,
          argv.kvqKey !== undefined || argv.kvqVal !== undefined,
        ];
        if (chosen.filter(Boolean).length !== 1) {
          throw new Error("choose the setting with exactly one of: --profile, --k and --v, --kvq-key and --kvq-val");
        }
        if ((argv.k === undefined) !== (argv.v === undefined)) throw new Error("--k and --v go together");
        if ((argv.kvqKey === undefined) !== (argv.kvqVal === undefined))
          throw new Error("--kvq-key and --kvq-val go together");
        if (!Number.isInteger(argv.passkeyTrials) || argv.passkeyTrials < 1)
          throw new Error(`--passkey-trials must be an integer ≥ 1, got ${argv.passkeyTrials}`);
        return true;
      }),
  async handler(argv) {
    const started = performance.now();
    // the cheap checks first: a typo in a type must not wait for the model to be read
    const profile =
      argv.profile !== undefined
        ? loadProfileRef(argv.profile)
        : argv.k !== undefined
          ? uniformProfile(parseKvType("--k", argv.k), parseKvType("--v", argv.v!))
          : uniformProfile(kvTypeFromBits("--kvq-key", argv.kvqKey!), kvTypeFromBits("--kvq-val", argv.kvqVal!));
    const { setup, facts } = await prepareMeasurement(argv);
    const setting = settingFromProfile(profile, facts);

    const progress = createProgressBar(`eval ${setting.label}`);
    const outcome = await evaluate(setup, setting, {
      fresh: argv.fresh,
      onProgress: (done, total, phase) =>
        progress.update(done, total, phase === "baseline" ? "f16 baseline" : setting.label),
    });
    progress.stop();
    const { result } = outcome;
    const formulaBytes = checkKvBytes(setting.label, result.kv, facts, setting.types, setup.ctx);
    const retrieval = argv.passkey.length > 0 ? await passkeyBesideF16(argv, setting.args, facts) : undefined;
    const wallMs = performance.now() - started;

    const report: EvalReport = {
      setting: setting.label,
      types: setting.types,
      model: { file: facts.fileName, headerHash: facts.headerHash },
      text: { name: setup.text.name, sha256: setup.text.sha256 },
      ctx: setup.ctx,
      chunks: setup.chunks,
      build: buildLabel(setup.build),
      ppl: result.ppl,
      pplError: result.pplError,
      pplBase: result.pplBase,
      deltaPpl: result.deltaPpl,
      deltaPplPct: result.deltaPplPct,
      meanKld: result.meanKld,
      meanKldError: result.meanKldError,
      deltaPplPctInterval: result.paired.deltaPplPctInterval,
      meanKldInterval: result.paired.meanKldInterval,
      top1Agreement: result.top1Agreement,
      kvBytes: {
        measured: result.kv.sizeK + result.kv.sizeV,
        formula: formulaBytes,
        k: result.kv.sizeK,
        v: result.kv.sizeV,
      },
      retrieval,
      fromCache: outcome.fromCache,
      baselineComputed: outcome.baselineComputed,
      llamaWallMs: outcome.fromCache ? 0 : result.wallMs,
      totalWallMs: wallMs,
    };
    process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : formatEvalTable(report));
  },
};

/** The setting's passkey scores next to f16's on the same prompts: a model that fails at f16 shows it. */
async function passkeyBesideF16(
  argv: Pick<EvalCommandOptions, "model" | "passkey" | "passkeyTrials" | "threads">,
  settingArgs: string[],
  facts: { contextLength: number },
) {
  const measure = (cacheArgs: string[]) =>
    measureRetrieval({
      modelPath: argv.model,
      cacheArgs,
      lengths: argv.passkey,
      trials: argv.passkeyTrials,
      trainingCtx: facts.contextLength,
      threads: argv.threads,
    });
  const setting = await measure(settingArgs);
  const f16 = await measure(profileToLlamaArgs(uniformProfile("f16", "f16")));
  return setting.map((score, i) => ({ setting: score, f16: f16[i]! }));
}
