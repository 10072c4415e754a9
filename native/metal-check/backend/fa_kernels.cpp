// The flash-attention kernels the emulated backend runs: kernels/fa_vec.cpp (fa.metal compiled as C++, the vec
// kernels test-backend-ops.sh keeps, their reduce and the padding kernel), the prompt route's kernels it keeps
// (kernels/fa_prompt.h: kernel_flash_attn_ext, the dequantization to F16, the block map) and the sparse path's
// index kernel, whose runner maps what an encoder bound to its parameters as Metal reads the attributes clang ignores.
//
// An integer division by zero does not trap on an Apple GPU (the result is undefined), and the kernels rely on it:
// without a mask the host passes its dimensions as 0 and the vec kernel still computes `iq2%args.ne32` for a mask
// pointer it never reads. x86's div traps; inside a kernel the SIGFPE handler below gives quotient and remainder 0
// and steps over the instruction. Outside a kernel (the host code, ggml) a division by zero still ends the run.
#include <metal_stdlib>

#include <signal.h>
#include <ucontext.h>

#include "../executor/fibers.h"
#include "ggml-metal-impl.h"
#include "../kernels/registry.h"
#include "../kernels/fa_prompt.h" // the prompt route's runners

namespace {

// kernel_flash_attn_ext_vec_idx(args [[buffer(0)]], mask, idx [[buffer(1..2)]], tgpig, tiitg, ntg): one threadgroup
// per mask row gathers the row's finite positions into an index list
template <auto K> void run_flash_attn_ext_vec_idx(const char * name, const msl_kernels::bindings & b,
                                                  const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext_vec_idx *) b.bytes[0];
    const ushort3 ntg((ushort) d.threads[0], (ushort) d.threads[1], (ushort) d.threads[2]);
    const msl_exec::grid g = { { d.groups[0], d.groups[1], d.groups[2] }, { d.threads[0], d.threads[1], d.threads[2] } };
    msl_exec::dispatch(name, g, b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, (device const half *) b.buffers[1], (device int *) b.buffers[2], uint3(tg[0], tg[1], tg[2]),
          (ushort) tid, ntg);
    });
}

// the length of the div/idiv at ip (opcode F6/F7 /6 or /7, after operand-size and REX prefixes), or 0
size_t division_length(const uint8_t * ip) {
    size_t n = 0;
    while (ip[n] == 0x66 || ip[n] == 0x67) ++n;
    if ((ip[n] & 0xF0) == 0x40) ++n;
    if (ip[n] != 0xF6 && ip[n] != 0xF7) return 0;
    ++n;
    const uint8_t modrm = ip[n++];
    const int mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
    if (reg != 6 && reg != 7) return 0;
    if (mod != 3) {
        if (rm == 4 && (ip[n++] & 7) == 5 && mod == 0) n += 4; // SIB with no base: disp32
        if (mod == 0 && rm == 5) n += 4;                       // RIP-relative
        if (mod == 1) n += 1;
        if (mod == 2) n += 4;
    }
    return n;
}

void on_integer_division_by_zero(int sig, siginfo_t * info, void * context) {
    greg_t * regs = ((ucontext_t *) context)->uc_mcontext.gregs;
    const size_t n = info->si_code == FPE_INTDIV && msl_exec::running()
        ? division_length((const uint8_t *) regs[REG_RIP]) : 0;
    if (n == 0) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    regs[REG_RAX] = 0; // quotient
    regs[REG_RDX] = 0; // remainder
    regs[REG_RIP] += n;
}

struct division_by_zero_does_not_trap {
    division_by_zero_does_not_trap() {
        struct sigaction sa = {};
        sa.sa_sigaction = on_integer_division_by_zero;
        sa.sa_flags     = SA_SIGINFO | SA_NODEFER;
        sigaction(SIGFPE, &sa, nullptr);
    }
} g_division_by_zero_does_not_trap;

} // namespace

#include "../kernels/fa_vec.cpp"

static msl_kernels::kernel_registrar register_vec_idx("kernel_flash_attn_ext_vec_idx",
                                                      &run_flash_attn_ext_vec_idx<&kernel_flash_attn_ext_vec_idx>);

static msl_kernels::kernel_registrar register_blk("kernel_flash_attn_ext_blk",
                                                  &run_flash_attn_ext_blk<&kernel_flash_attn_ext_blk>);
