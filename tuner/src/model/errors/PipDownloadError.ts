export class PipDownloadError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly output: string,
  ) {
    const tail = output.trim().split("\n").slice(-10).join("\n");
    super(
      `'${command}' failed (exit code ${exitCode ?? "none"}; expected 0); is python3 with pip installed and PyPI reachable?\n${tail}`,
    );
    this.name = "PipDownloadError";
  }
}
