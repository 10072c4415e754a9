#!/usr/bin/env bash
# Patch 0023's NEON K dot products for iq3_nl/iq2_nl give the generic C's result bit for bit, with sdot (the
# armv8.2-a+dotprod build native/arm-check.sh makes) and with ggml's fallback for cores without it (armv8-a): dot.c
# under qemu-aarch64, linked against SRC's arch/arm/quants.c built both ways and BUILD's ggml libraries.
# usage: check.sh SRC BUILD   (SRC, BUILD: the aarch64 source tree and build dir of native/arm-check.sh --build-only)
set -euo pipefail
src="${1:?usage: check.sh SRC BUILD}"; build="${2:?usage: check.sh SRC BUILD}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for lib in "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a"; do
    [ -f "$lib" ] || { echo "check.sh: $lib not found: run native/arm-check.sh --build-only first" >&2; exit 1; }
done
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
status=0
for arch in armv8.2-a+dotprod+fp16 armv8-a; do
    aarch64-linux-gnu-gcc -O3 -std=gnu11 -march="$arch" -D_GNU_SOURCE -I"$src/ggml/include" -I"$src/ggml/src" \
        -I"$src/ggml/src/ggml-cpu" -c "$src/ggml/src/ggml-cpu/arch/arm/quants.c" -o "$tmp/quants.o"
    # the object first: the archive's own arch/arm/quants.c.o is then never pulled in
    aarch64-linux-gnu-gcc -O2 -static -I"$src/ggml/include" "$here/dot.c" "$tmp/quants.o" \
        "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a" -lstdc++ -lm -lpthread -o "$tmp/dot" \
        2>"$tmp/ld.err" || { cat "$tmp/ld.err" >&2; exit 1; } # (its one warning, about dlopen in a static binary, is noise)
    echo "-march=$arch ($(aarch64-linux-gnu-objdump -d "$tmp/dot" |
        awk '/<ggml_vec_dot_iq3_nl_q8_0>:/ { p = 1; next } p && /^$/ { exit } p' | grep -cw sdot) sdot in ggml_vec_dot_iq3_nl_q8_0):"
    QEMU_CPU=max qemu-aarch64 "$tmp/dot" || status=1
done
exit "$status"
