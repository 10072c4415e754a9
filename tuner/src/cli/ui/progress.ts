import cliProgress from "cli-progress";

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
