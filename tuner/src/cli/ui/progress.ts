import cliProgress from "cli-progress";

/**
 * cli-progress reports an ETA it cannot know yet (no step done, or none timed) as "INF" or "NULL", and its time
 * format prints that as "NFs" or "LLs": say "unknown" instead, and format real times as cli-progress does.
 */
export function formatEta(seconds: unknown, options: cliProgress.Options, roundTo: number): string {
  return typeof seconds === "number" && Number.isFinite(seconds)
    ? cliProgress.Format.TimeFormat(seconds, options, roundTo)
    : "unknown";
}

/**
 * A progress bar with ETA on stderr, so --json output on stdout stays clean. Silent when stderr is not a
 * terminal (CI logs), apart from one line per finished step.
 */
export function createProgressBar(label: string) {
  const interactive = process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label.padEnd(28)} [{bar}] {value}/{total} {unit} | ETA {eta_formatted} | {detail}`,
      hideCursor: true,
      noTTYOutput: false,
      etaBuffer: 8,
      formatTime: formatEta,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done: number, total: number, detail = "", unit = "chunks") {
      if (!interactive) return;
      if (!started) {
        bar.start(total, done, { detail, unit });
        started = true;
      }
      bar.setTotal(total);
      bar.update(done, { detail, unit });
    },
    stop(summary?: string) {
      if (started) bar.stop();
      started = false;
      if (summary) process.stderr.write(`${summary}\n`);
    },
  };
}
