export class EvalTextTooShortError extends Error {
  constructor(
    readonly textName: string,
    readonly ctx: number,
    readonly chunksRequested: number,
    readonly chunksAvailable: number,
  ) {
    super(
      `eval text '${textName}' is too short: ${chunksRequested} chunks of ${ctx} tokens requested, ` +
        `it holds ${chunksAvailable}; use fewer --chunks, a smaller --ctx or a longer --eval-file`,
    );
    this.name = "EvalTextTooShortError";
  }
}
