# Sourced by the scripts that compile Metal kernels as C++ (compile-kernels.sh, run-emulated.sh): msl_rewrite IN OUT.
# Four source rewrites no header can do, line for line (so that clang's line numbers are the file's):
#  1. `template [[host_name("x")]] kernel T f<...>;`: C++ allows no attribute between `template` and an explicit
#     instantiation; the host name becomes a comment (`template /*host_name "x"*/ ...`), which the scripts read back
#  2. `constant T FC_x [[function_constant(i)]];`: a function constant has no initialiser, so it becomes a static,
#     which an executor sets from the pipeline's constants before it runs a kernel
#  3. `[[threadgroup(n)]]`: `threadgroup` is the (empty) address-space macro, which would leave `[[(n)]]`
#  4. `threadgroup T x[N];` declared in a kernel: one object per threadgroup, which the erased qualifier would make a
#     local of each thread; it becomes MSL_THREADGROUP_VARIABLE(T, x, [N]) (msl/msl_simd.h)
msl_rewrite() {
    sed -E -e 's/^template[[:space:]]*\[\[host_name\(("[^"]*")[[:space:]]*\)\]\]/template \/*host_name \1*\//' \
        -e '/\[\[function_constant\(/ s/^constant /static /' \
        -e 's/\[\[threadgroup\(/[[msl_threadgroup(/g' \
        -e 's/^([[:space:]]*)threadgroup[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)[[:space:]]+([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*((\[[^];]*\])*)[[:space:]]*;/\1MSL_THREADGROUP_VARIABLE(\2, \3, \4);/' \
        "$1" >"$2"
}
