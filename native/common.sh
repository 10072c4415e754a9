# Shared by native/build.sh and native/arm-check.sh (sourced, not run): the pinned llama.cpp source, the patch
# list, the build cache, a patched source tree and a cmake build through ccache. Set `prog` (the name that
# prefixes messages) and `here` (native/) before sourcing.

die() { echo "$prog: error: $*" >&2; exit 1; }
say() { echo "$prog: $*" >&2; }

repo="$(cd "$here/.." && pwd)"

# patched_tree: the build native/build.sh linked into native/bin/ (or $KVSPLIT_NATIVE_BIN) and its sources: sets
# `build`, `src` and `metal` (its ggml-metal directory), which the Metal checks read
patched_tree() {
    local server="${KVSPLIT_NATIVE_BIN:-$repo/native/bin}/llama-server"
    [ -e "$server" ] || die "$server not found: run 'npm run setup' (native/build.sh) first"
    build="$(cd "$(dirname "$(readlink -f "$server")")/.." && pwd)"
    src="$(cd "$build/../src" && pwd)"
    metal="$src/ggml/src/ggml-metal"
}

# metal_tree ARGS...: patched_tree, then an optional leading `--metal-dir DIR` (a modified copy of ggml-metal to check
# instead of the patched tree's); sets `metal` and `metal_args_used`, the number of arguments the caller shifts
# metal_clangxx: sets clangxx, the clang that compiles the Metal checks (CLANGXX, default clang++-19), or dies
# saying how to install it
metal_clangxx() {
    clangxx="${CLANGXX:-clang++-19}"
    command -v "$clangxx" >/dev/null || die "$clangxx not found: install the Debian package clang-19 (apt-get install clang-19)"
}

metal_tree() {
    patched_tree
    metal_args_used=0
    if [ "${1:-}" = --metal-dir ]; then
        [ -n "${2:-}" ] || die "--metal-dir needs a directory"
        metal="$(cd "$2" 2>/dev/null && pwd)" || die "$2: no such directory"
        [ -f "$metal/ggml-metal-ops.cpp" ] || die "$metal: not a ggml-metal directory (no ggml-metal-ops.cpp)"
        metal_args_used=2
    fi
}

# count_matching ERE [FILE]: how many lines match; 0 is an answer, not a failure (grep -c exits 1 on none), and a
# file that cannot be read still fails
count_matching() {
    # the pattern through the environment: awk -v would turn its backslashes into escape sequences
    COUNT_RE="$1" awk '$0 ~ ENVIRON["COUNT_RE"] { n++ } END { print n + 0 }' "${2:--}"
}

# the sha256 of stdin, in hex: GNU's sha256sum, or shasum where macOS has no sha256sum
sha256_hex() {
    if command -v sha256sum >/dev/null; then sha256sum | cut -c1-64; else shasum -a 256 | cut -c1-64; fi
}

# The llama.cpp release node-llama-cpp ships in its npm package: sets `bundle` and `tag`.
llama_source() {
    local nlc="$repo/node_modules/node-llama-cpp/llama"
    local info="$nlc/llama.cpp.info.json"
    bundle="$nlc/gitRelease.bundle"
    [ -f "$bundle" ] && [ -f "$info" ] || die "llama.cpp source bundle not found at $bundle: run 'npm ci' first"
    tag="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).tag)' "$info")"
    [ -n "$tag" ] || die "no llama.cpp tag in $info"
}

# native/patches/*.patch in order: sets `patches`.
list_patches() {
    patches=()
    while IFS= read -r -d '' p; do patches+=("$p"); done < <(find "$here/patches" -name '*.patch' -print0 | sort -z)
    [ "${#patches[@]}" -gt 0 ] || die "no patches in $here/patches"
}

# cache_key LINE...: sets `key` from LINE... (the tag, the platform) with the `cmake_flags`, `targets` and `patches`
# arrays, so that a build is reused only when none of them changed, and `patch_hash` from the patches alone.
cache_key() {
    local key_input p
    key_input="$(
        printf '%s\n' "$@"
        printf 'flag=%s\n' "${cmake_flags[@]}"
        printf 'target=%s\n' "${targets[@]}"
        for p in "${patches[@]}"; do echo "patch=$(basename "$p")"; cat "$p"; done
    )"
    key="$(printf '%s' "$key_input" | sha256_hex | cut -c1-16)"
    patch_hash="$( (for p in "${patches[@]}"; do cat "$p"; done) | sha256_hex | cut -c1-16)"
}

# Where builds are cached, outside the repo: sets `cache`.
cache_root() {
    if [ -n "${KVSPLIT_CACHE_DIR:-}" ]; then
        cache="$KVSPLIT_CACHE_DIR"
    elif [ "$(uname -s)" = "Darwin" ]; then
        cache="$HOME/Library/Caches/kvsplit"
    else
        cache="${XDG_CACHE_HOME:-$HOME/.cache}/kvsplit"
    fi
}

# lock_build WORK: one build per cache key at a time; a second build of the same key (a test run, another shell)
# waits for the first instead of deleting the source tree under it. A mkdir lock (macOS has no flock(1)); a lock
# whose owner died is taken over. Released when the script exits.
lock_build() {
    local work="$1" owner waited=0
    mkdir -p "$work"
    build_lock="$work.lock"
    until mkdir "$build_lock" 2>/dev/null; do
        owner=""
        if owner="$(cat "$build_lock/pid" 2>/dev/null)" && [ -n "$owner" ] && ! kill -0 "$owner" 2>/dev/null; then
            rm -rf "$build_lock"
            continue
        fi
        [ "$waited" = 1 ] || say "another build of $work is running (pid ${owner:-?}); waiting for it"
        waited=1
        sleep 5
    done
    echo "$$" >"$build_lock/pid"
    trap 'rm -rf "$build_lock"' EXIT
}

# unlock_build: release lock_build's lock before the script ends
unlock_build() {
    rm -rf "$build_lock"
    trap - EXIT
}

# clone_patched WORK SRC PATCH...: a fresh clone of the bundle in SRC with each patch applied in order; one that
# does not apply stops with its name.
clone_patched() {
    local work="$1" src="$2" p name
    shift 2
    command -v git >/dev/null || die "git is required"
    rm -rf "$src"
    mkdir -p "$work"
    say "llama.cpp $tag from $bundle"
    git clone --quiet "$bundle" "$src" 2>/dev/null || die "could not clone $bundle"
    for p in "$@"; do
        name="$(basename "$p")"
        if ! git -C "$src" apply --check "$p" 2>"$work/apply.err"; then
            cat "$work/apply.err" >&2
            die "patch native/patches/$name does not apply to llama.cpp $tag"
        fi
        git -C "$src" apply "$p"
        say "applied $name"
    done
}

# cmake_build WORK SRC BUILD TARGET... (uses the `cmake_flags` array): configure and build with ninja and ccache
# when present, one updating progress line, and the errors when it fails.
cmake_build() {
    local work="$1" src="$2" build="$3" jobs start build_status
    shift 3
    command -v cmake >/dev/null || die "cmake is required"
    local generator=() launcher=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    if command -v ccache >/dev/null; then
        launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
        # paths relative to the work dir, so a build under another cache key reuses the objects a patch did not touch
        export CCACHE_BASEDIR="$work" CCACHE_NOHASHDIR=true
    fi
    jobs="${KVSPLIT_JOBS:-$(getconf _NPROCESSORS_ONLN)}"
    [ -n "$jobs" ] || jobs=2

    say "configuring (${cmake_flags[*]})"
    cmake -S "$src" -B "$build" "${generator[@]}" "${launcher[@]}" "${cmake_flags[@]}" >"$work/cmake.log" 2>&1 ||
        { tail -n 30 "$work/cmake.log" >&2; die "cmake configure failed (full log: $work/cmake.log)"; }

    say "building $* with $jobs jobs"
    start=$(date +%s)
    # progress: one updating line with ninja's [done/total] counter
    set +e
    cmake --build "$build" --parallel "$jobs" --target "$@" 2>&1 | tee "$work/build.log" |
        awk '/^\[[0-9]+\/[0-9]+\]/ { printf "\r\033[K%s", substr($0, 1, 110); fflush() } END { print "" }' >&2
    build_status="${PIPESTATUS[0]}"
    set -e
    if [ "$build_status" != 0 ]; then
        grep -B2 -A8 -E 'error|Error' "$work/build.log" | head -n 60 >&2
        die "build failed (full log: $work/build.log)"
    fi
    say "built in $(( $(date +%s) - start )) s"
}
