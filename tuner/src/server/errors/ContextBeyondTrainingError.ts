/** A context longer than the model was trained for: it would use memory the model cannot use well (or at all). */
export class ContextBeyondTrainingError extends Error {
  constructor(
    readonly ctx: number,
    readonly trainingContext: number,
    readonly modelPath: string,
  ) {
    super(
      `a context of ${ctx} tokens is beyond the ${trainingContext} tokens ${modelPath} was trained with; ` +
        `expected at most ${trainingContext}: choose a smaller --ctx, or pass --ctx-beyond-training to allow it`,
    );
    this.name = "ContextBeyondTrainingError";
  }
}
