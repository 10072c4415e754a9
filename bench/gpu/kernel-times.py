#!/usr/bin/env python3
"""Decode time per token by kernel, from the Nsight Compute CSVs of cuda-decode-speed.sh's kernels stage.

usage: kernel-times.py LOGS TOKENS
LOGS/kernels-d0-<setting>.csv holds every kernel of TOKENS decode tokens at depth 0, kernels-d32768-<setting>.csv the
flash-attention kernels of TOKENS tokens at depth 32768. ncu times each kernel alone, so the sums leave out launch
gaps: they say where GPU time goes, not the tokens per second llama-bench measures.
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path


def kernel_times(path: Path, tokens: int) -> dict[str, float]:
    """microseconds per token by kernel name"""
    rows = [line for line in path.read_text().splitlines() if line.startswith('"')]
    per_kernel: dict[str, float] = defaultdict(float)
    for row in csv.DictReader(rows):
        if row["Metric Name"] != "gpu__time_duration.sum":
            continue
        assert row["Metric Unit"] in ("ns", "nsecond"), f"{path}: unit {row['Metric Unit']}, expected ns"
        per_kernel[row["Kernel Name"]] += float(row["Metric Value"].replace(",", "")) / 1000 / tokens
    if not per_kernel:
        sys.exit(f"kernel-times.py: {path} has no gpu__time_duration rows: see the .out file beside it")
    return dict(per_kernel)


def main() -> None:
    logs, tokens = Path(sys.argv[1]), int(sys.argv[2])
    settings = sorted({p.name.removeprefix("kernels-d0-").removesuffix(".csv") for p in logs.glob("kernels-d0-*.csv")})
    settings.sort(key=lambda s: (s != "f16-f16", s))
    d0 = {s: kernel_times(logs / f"kernels-d0-{s}.csv", tokens) for s in settings}
    deep = {s: kernel_times(logs / f"kernels-d32768-{s}.csv", tokens) for s in settings
            if (logs / f"kernels-d32768-{s}.csv").exists()}
    is_fa = lambda name: name.startswith("flash_attn_ext_vec") or name.startswith("flash_attn_combine")
    names = sorted({n for t in d0.values() for n in t}, key=lambda n: -max(t.get(n, 0) for t in d0.values()))

    print(f"GPU time per decode token by kernel (µs; ncu gpu__time_duration, each kernel alone, mean of {tokens} tokens)\n")
    print("| kernel (depth 0) | " + " | ".join(settings) + " |")
    print("| --- | " + " | ".join("---:" for _ in settings) + " |")
    for n in names:
        print(f"| {n} | " + " | ".join(f"{d0[s].get(n, 0):.1f}" for s in settings) + " |")
    print("| **all, depth 0** | " + " | ".join(f"**{sum(d0[s].values()):.1f}**" for s in settings) + " |")
    if deep:
        cells = []
        for s in settings:
            if s not in deep:
                cells.append("n/a")
                continue
            fa = sum(deep[s].values())
            rest = sum(v for n, v in d0[s].items() if not is_fa(n))
            cells.append(f"{fa:.1f} (all: {rest + fa:.1f})")
        print("| **flash attention, depth 32768** (all kernels) | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
