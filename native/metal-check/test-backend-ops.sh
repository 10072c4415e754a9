#!/usr/bin/env bash
# Runs llama.cpp's own test-backend-ops (tests/test-backend-ops.cpp of the patched tree, unmodified) against ggml-metal
# on the emulated Metal device: the unmodified backend (ggml-metal.cpp registers "MTL0"), host code
# (ggml-metal-ops.cpp, ggml-metal-device.cpp) and kernels (fa.metal compiled as C++, run on CPU fibers), each case
# compared with ggml's CPU backend by test-backend-ops itself. The Objective-C halves are replaced by
# device/emulated_device.cpp and backend/ (the context: graphs, command buffers; buffers, events, which ops).
#
# The emulated library holds the flash-attention decode kernels: kernel_flash_attn_ext_vec of every K/V pair fa.metal
# has at head sizes 64, 128 and 256 (the base variant; the host picks it on this device), its reduce, the padding
# kernel and the sparse path's index kernel. A case that needs another kernel (the prompt path's
# kernel_flash_attn_ext: simdgroup matrices are not emulated) prints "emulated Metal: not run: ..." and counts as not
# supported, never as passed; the summary at the end counts those lines.
#
# usage: native/metal-check/test-backend-ops.sh [--metal-dir GGML_METAL_DIR] [--kernels ERE] [TEST_BACKEND_OPS_ARGS...]
#   TEST_BACKEND_OPS_ARGS: default `-o FLASH_ATTN_EXT`; `-b MTL0` is always added
#   ERE: compile only the vec kernels whose host name matches (a Perl regex; default every base vec kernel at head
#        sizes 64, 128 and 256), so that a few cases cost seconds of compiling, not minutes; a case that needs
#        another one is reported as not run
#   GGML_METAL_DIR: default the patched tree native/build.sh linked into native/bin/ (its libggml-base.a and
#                   libggml-cpu.a are linked in either way)
# env: CLANGXX (default clang++-19), KVSPLIT_NATIVE_BIN, KVSPLIT_CACHE_DIR, KVSPLIT_FA_HEAD_SIZES (the head sizes whose
#      kernels the emulated library compiles, default 64|128|256; fewer compile faster)
set -euo pipefail

prog="native/metal-check/test-backend-ops"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"
check="$here/metal-check"
# shellcheck source=msl/rewrite.sh
source "$check/msl/rewrite.sh"

metal_tree "$@"
shift "$metal_args_used"
head_sizes="${KVSPLIT_FA_HEAD_SIZES:-64|128|256}"
[[ "$head_sizes" =~ ^[0-9]+(\|[0-9]+)*$ ]] ||
    die "KVSPLIT_FA_HEAD_SIZES: expected head sizes separated by |, got '$head_sizes'"
# the prompt route (batch 20 and up): kernel_flash_attn_ext of F16 (what every quantized pair is dequantized to, and
# equal pairs from batch 32) and F32 at those head sizes, and every dequantization to F16
prompt_re="^kernel_flash_attn_ext_(f16|f32)_dk($head_sizes)_dv(\\2)\$|^kernel_flash_attn_ext_kv_[a-z0-9_]+_f16\$"
keep_re="^kernel_flash_attn_ext_vec_[a-z0-9_]+_dk($head_sizes)_dv(\\1)\$"
kernels_re=""
if [ "${1:-}" = --kernels ]; then
    [ -n "${2:-}" ] || die "--kernels needs a regular expression (kernel host names, e.g. '^kernel_flash_attn_ext_vec_q8_0_dk128_')"
    kernels_re="$2"
    KEEP_RE="$kernels_re" perl -e 'qr/$ENV{KEEP_RE}/' 2>/dev/null || die "--kernels $kernels_re: not a regular expression"
    keep_re="^(?=${keep_re#^}).*(?:$kernels_re)"
    # the prompt route's kernels too: only those the expression names (an empty KEEP_PROMPT_RE would keep all)
    prompt_re="^(?=(?:$prompt_re)).*(?:$kernels_re)"
    shift 2
fi
[ "$#" -gt 0 ] || set -- -o FLASH_ATTN_EXT
metal_clangxx

cache_root
obj_cache="$cache/metal-check/backend-ops/obj"
mkdir -p "$obj_cache"
inc=(-I "$check/msl" -I "$metal" -I "$src/ggml/src" -I "$src/ggml/include" -I "$check/device")
headers_hash="$(cat "$src"/ggml/include/*.h "$src"/ggml/src/*.h "$metal"/*.h "$check"/device/*.h \
    "$check"/kernels/registry.h <("$clangxx" --version) | sha256_hex | cut -c1-16)"

# obj SRC FLAGS...: adds to `objs` the object of SRC compiled with FLAGS, from the cache when SRC, the headers and
# the flags are unchanged
objs=()
obj() {
    local source="$1" key o
    shift
    key="$( { cat "$source"; echo "$headers_hash" "$@"; } | sha256_hex | cut -c1-16)"
    o="$obj_cache/$(basename "$source" | tr . _)-$key.o"
    if [ ! -f "$o" ]; then
        say "compiling $(basename "$source")"
        nice -n 10 "$clangxx" -std=c++17 -O1 -w "${inc[@]}" "$@" -c "$source" -o "$o.tmp" || die "$source: does not compile"
        mv "$o.tmp" "$o"
    fi
    objs+=("$o")
}

# The kernels: fa.metal rewritten (msl/rewrite.sh), its vec instantiations at the head sizes above registered
# (backend/register-kernels.pl); cached apart from the host code, so that a change there does not recompile them.
# SET_ROWS and CPY into and out of the cache types (quantize.metal) and the K/V rotation (misc.metal's
# kernel_fwht_f32: a MUL_MAT with the Hadamard hint), narrowed by --kernels as the others are
cache_re='^kernel_(set_rows|cpy)_'
misc_re='^kernel_fwht_f32_'
if [ -n "$kernels_re" ]; then
    cache_re="^(?=${cache_re#^}).*(?:$kernels_re)"
    misc_re="^(?=${misc_re#^}).*(?:$kernels_re)"
fi
kernels_key="$( {
    cat "$check"/msl/* "$check"/executor/* "$check"/kernels/* "$check"/backend/fa_kernels.cpp \
        "$check"/backend/cache_kernels.cpp "$check"/backend/misc_kernels.cpp "$check"/backend/register-kernels.pl \
        "$metal"/kernels/*.metal "$metal"/kernels/*.h "$metal"/*.h
    echo "$headers_hash" "$head_sizes" "$prompt_re" "$cache_re" "$misc_re" cache-bf16 ${kernels_re:+"$kernels_re"}
} | sha256_hex | cut -c1-16)"
kernels_dir="$cache/metal-check/backend-ops/kernels-$kernels_key"
if [ ! -f "$kernels_dir/fa_kernels.o" ]; then
    rm -rf "$kernels_dir" && mkdir -p "$kernels_dir/src"
    for f in "$metal"/kernels/*.metal "$metal"/kernels/*.h; do msl_rewrite "$f" "$kernels_dir/src/$(basename "$f")"; done
    KEEP_RE="$keep_re" KEEP_PROMPT_RE="$prompt_re" perl "$check/backend/register-kernels.pl" \
        <"$kernels_dir/src/fa.metal" >"$kernels_dir/src/fa_emulated.metal"
    n_kept="$(count_matching 'kernel_registrar register_' "$kernels_dir/src/fa_emulated.metal")"
    [ "$n_kept" -gt 0 ] || die "fa.metal has no kernels at head sizes ${head_sizes//|/, }${kernels_re:+ matching $kernels_re}"
    say "compiling $n_kept kernels of fa.metal as C++ (minutes; cached by input hash)"
    # every load and store reports to the executor (executor/fibers.h: lockstep at threadgroup memory)
    nice -n 10 "$clangxx" -std=c++17 -O1 -w -fsanitize-coverage=inline-8bit-counters,trace-loads,trace-stores \
        -Xclang -ffloat16-excess-precision=none "${inc[@]}" -I "$kernels_dir/src" \
        -DFA_METAL_SOURCE='"fa_emulated.metal"' -c "$check/backend/fa_kernels.cpp" -o "$kernels_dir/fa_kernels.o.tmp"
    mv "$kernels_dir/fa_kernels.o.tmp" "$kernels_dir/fa_kernels.o"
fi
# kernel_object NAME METAL_FILE KEEP_RE [FLAGS...]: backend/NAME.cpp with METAL_FILE's instantiations that match KEEP_RE
# registered, into kernel_objs; nothing when none matches (a case that needs one is then reported as not run)
kernel_objs=()
kernel_object() {
    local name="$1" file="$2" re="$3" n
    if [ ! -f "$kernels_dir/$name.o" ] && [ ! -f "$kernels_dir/$name.none" ]; then
        KEEP_RE="$re" KEEP_PROMPT_RE="" perl "$check/backend/register-kernels.pl" \
            <"$kernels_dir/src/$file.metal" >"$kernels_dir/src/${file}_emulated.metal"
        n="$(count_matching 'kernel_registrar register_' "$kernels_dir/src/${file}_emulated.metal")"
        if [ "$n" = 0 ]; then
            touch "$kernels_dir/$name.none"
        else
            say "compiling $n kernels of $file.metal as C++ (cached by input hash)"
            nice -n 10 "$clangxx" -std=c++17 -O1 -w -fsanitize-coverage=inline-8bit-counters,trace-loads,trace-stores \
                -Xclang -ffloat16-excess-precision=none "${inc[@]}" -I "$kernels_dir/src" \
                "${@:4}" -D"$(echo "$file" | tr a-z A-Z)"_METAL_SOURCE="\"${file}_emulated.metal\"" \
                -c "$check/backend/$name.cpp" -o "$kernels_dir/$name.o.tmp"
            mv "$kernels_dir/$name.o.tmp" "$kernels_dir/$name.o"
        fi
    fi
    if [ -f "$kernels_dir/$name.o" ]; then kernel_objs+=("$kernels_dir/$name.o"); fi
}
# bfloat on (the device reports it, as an M2 and later does): SET_ROWS and CPY into and out of bf16 run
kernel_object cache_kernels quantize "$cache_re" -DGGML_METAL_HAS_BF16
kernel_object misc_kernels misc "$misc_re"

# The plain C inside ggml-metal-device.m that the backend needs, taken out as it is (with #line, so that errors name
# the .m): the device-name table with ggml_metal_device_id_token, and ggml_metal_device_supports_op
# take_out FIRST_RE LAST_FN: from the line matching FIRST_RE to the end of function LAST_FN (its closing brace)
take_out() {
    awk -v file="$metal/ggml-metal-device.m" -v first="$1" -v last_fn="$2" '
        !on && $0 ~ first { on = 1; printf "#line %d \"%s\"\n", NR, file }
        on && index($0, last_fn "(") && $0 !~ /^[ \t]/ { in_last = 1 }
        on { print }
        in_last && /^}/ { exit }' "$metal/ggml-metal-device.m"
}
from_m="$cache/metal-check/backend-ops/from-m-$(sha256_hex <"$metal/ggml-metal-device.m" | cut -c1-16)"
if [ ! -f "$from_m/supports_op_mac.inc" ]; then
    mkdir -p "$from_m"
    {
        take_out '^static const struct \{$' 'const char * ggml_metal_device_id_token'
        take_out '^static bool ggml_metal_supports_mul_mat_op\($' 'bool ggml_metal_device_supports_op' |
            sed 's/^bool ggml_metal_device_supports_op(ggml_metal_device_t dev, /static bool mac_supports_op(const mac_device * dev, /'
    } >"$from_m/supports_op_mac.inc.tmp"
    for fn in 'ggml_metal_device_id_token(' 'static bool mac_supports_op('; do
        grep -qF "$fn" "$from_m/supports_op_mac.inc.tmp" || die "$metal/ggml-metal-device.m: no $fn to take out"
    done
    mv "$from_m/supports_op_mac.inc.tmp" "$from_m/supports_op_mac.inc"
fi

lib_key="$(cat "$build/ggml/src/libggml-base.a" "$build/ggml/src/libggml-cpu.a" | sha256_hex | cut -c1-16)"
obj "$src/tests/test-backend-ops.cpp"
obj "$src/ggml/src/ggml-backend-reg.cpp" -DGGML_USE_CPU -DGGML_USE_METAL
# ggml-metal.cpp uses std::unique_ptr without <memory>, which Apple's libc++ headers bring in by the way
obj "$metal/ggml-metal.cpp" -include memory
obj "$metal/ggml-metal-device.cpp"
obj "$metal/ggml-metal-ops.cpp"
obj "$metal/ggml-metal-tuning.cpp"
obj "$metal/ggml-metal-common.cpp"
obj "$check/device/emulated_device.cpp"
obj "$check/backend/emulated_context.cpp"
obj "$check/backend/emulated_backend_device.cpp" -I "$from_m"
objs+=("$kernels_dir/fa_kernels.o" "${kernel_objs[@]}")
exe="$cache/metal-check/backend-ops/test-backend-ops-$(printf '%s\n' "${objs[@]}" "$lib_key" | sha256_hex | cut -c1-16)"
if [ ! -x "$exe" ]; then
    # libggml-cpu is built by gcc, with OpenMP where it has it: its runtime is GNU's libgomp
    openmp=()
    if grep -q 'GOMP_' < <(nm "$build/ggml/src/libggml-cpu.a" 2>/dev/null); then openmp=(-lgomp); fi
    say "linking test-backend-ops with the emulated Metal backend"
    nice -n 10 "$clangxx" "${objs[@]}" "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml.a" \
        "$build/ggml/src/libggml-base.a" "${openmp[@]}" -lpthread -lm -o "$exe.tmp"
    mv "$exe.tmp" "$exe"
fi

# test-backend-ops' own output (without its colours), each line as it comes; then what ran and what did not
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
nice -n 10 "$exe" "$@" -b MTL0 | sed -u 's/\x1b\[[0-9;]*m//g' | tee "$log"
status="${PIPESTATUS[0]}"
set -e
# a failing case's line starts with what failed (test-backend-ops prints NaN or ERR before the case's name);
# a case the emulated library cannot run is a "not supported" line right after the device's "not run" line; the
# "not run" lines with no case line after them come from test-backend-ops' fa_vec (Q,NE) slice, which prints only
# its failures (and counts a case it could not run as run)
read -r n_ok n_fail n_not_run n_unsupported n_slice_not_run < <(awk '
    /^  [A-Z_]+\(.*\): OK *$/ { ok++ }
    /(^|  )[A-Z_]+\(.*\): (.* )?FAIL *$/ || /^  FAIL fa_vec slice: / { fail++ }
    /not supported \[MTL0\] *$/ { if (prev ~ /^emulated Metal: not run: /) not_run++; else unsupported++ }
    prev ~ /^emulated Metal: not run: / && !/not supported \[MTL0\] *$/ { slice++ }
    { prev = $0 }
    END { print ok + 0, fail + 0, not_run + 0, unsupported + 0, slice + 0 }' "$log")
echo "emulated Metal summary: $n_ok passed, $n_fail failed, $n_not_run not run (a kernel the emulated library lacks)," \
    "$n_unsupported not supported by ggml-metal; fa_vec (Q,NE) slice: $n_slice_not_run of its cases not run"
[ "$status" = 0 ] || die "test-backend-ops exited with status $status"
[ "$n_fail" = 0 ] || die "$n_fail cases failed"
