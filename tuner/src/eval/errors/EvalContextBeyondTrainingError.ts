/** A chunk longer than the model was trained for measures a model outside its range, and may need huge memory. */
export class EvalContextBeyondTrainingError extends Error {
  constructor(
    readonly ctx: number,
    readonly trainingContext: number,
    readonly modelPath: string,
  ) {
    super(
      `--ctx ${ctx} is beyond the ${trainingContext} tokens ${modelPath} was trained with; ` +
        `expected at most ${trainingContext}: choose a smaller --ctx`,
    );
    this.name = "EvalContextBeyondTrainingError";
  }
}
