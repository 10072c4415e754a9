/** The model facts the fit rule compares: a per-layer profile's types mean something only for this model. */
export interface FitFacts {
  fileName: string;
  nLayer: number;
  headerHash: string;
}

/** A per-layer profile was tuned for another model (file name, layer count or header hash differ). */
export class ProfileModelMismatchError extends Error {
  constructor(
    readonly profileName: string,
    readonly expected: FitFacts,
    readonly actual: FitFacts,
    /** which facts differ, e.g. ["layer count"] */
    readonly differences: readonly string[],
  ) {
    super(
      `profile "${profileName}" was made for ${describe(expected)}, but the model is ${describe(actual)} ` +
        `(${differences.join(", ")} differ${differences.length === 1 ? "s" : ""}); expected a profile made for ` +
        `this model: choose a built-in profile (f16, k8v4, …), import one made for ${actual.fileName}, or run ` +
        `\`tuner search --model <this model>\``,
    );
    this.name = "ProfileModelMismatchError";
  }
}

function describe(facts: FitFacts): string {
  return `${facts.fileName} (${facts.nLayer} layers, header sha256 ${facts.headerHash.slice(0, 12)}…)`;
}
