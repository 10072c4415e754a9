// Runs Metal compute kernels, compiled as C++ against msl/, on the CPU: every thread of a threadgroup is a fiber,
// and the fibers of one threadgroup take turns on one OS thread.
//
// Switching: on x86-64 a hand-written switch (msl_exec_switch below: the callee-saved registers, the stack pointer,
// MXCSR and the x87 control word, as boost.context saves them); elsewhere, or with -DMSL_EXEC_UCONTEXT, glibc's
// swapcontext, which also saves and restores the signal mask: one rt_sigprocmask system call per switch, two per
// yield, and a lane yields at every threadgroup-memory access, so that was most of a long run's time. Include after msl/metal_stdlib and before
// the kernels: this file defines what msl/msl_simd.h declares.
//
// Where threads meet: threadgroup_barrier (every live thread of the threadgroup), simdgroup_barrier and every simd_*
// function (every live lane of the simdgroup). A simdgroup whose lanes wait at different simd functions, and a
// threadgroup whose threads can never all meet (a barrier some never reach), abort with the kernel's name.
//
// Lockstep: the kernels rely on the 32 lanes of a simdgroup running together (lane 0 writes threadgroup memory that
// the other lanes read one statement later, with no barrier between). Built with
//   -fsanitize-coverage=trace-loads,trace-stores
// every load and store calls __sanitizer_cov_loadN/storeN below; an access to threadgroup memory makes the thread
// yield, so the threads advance round-robin one threadgroup-memory access at a time. Without those flags the lanes
// run free between meeting points, which breaks such kernels (the prototype saw every pair fail).
//
// Skew: the simdgroups of a threadgroup take turns, each running as far as it can before a threadgroup barrier, so a
// simdgroup that reads what another writes with no barrier between reads it unwritten (a missing barrier shows).
//
// Threadgroup memory: the dispatch's, then the variables a kernel declares in it (`threadgroup int tcount[8];`, one
// object per threadgroup: msl/rewrite.sh). Apple's limits are enforced: 32 KiB of threadgroup memory, both together,
// and 1024 threads per threadgroup. Threadgroup memory starts as 0xFF bytes (a NaN in half and float), so a read
// before any write shows in the result.
#pragma once

#if !defined(__x86_64__) && !defined(MSL_EXEC_UCONTEXT)
#define MSL_EXEC_UCONTEXT 1
#endif
#ifdef MSL_EXEC_UCONTEXT
#include <ucontext.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

namespace msl_exec {

constexpr size_t k_max_threadgroup_memory  = 32 * 1024;
constexpr int    k_max_threads_per_group   = 1024;
constexpr int    k_simd_width              = 32;
constexpr int    k_simdgroup_barrier_op_id = 1000;

// A fiber's saved context: a ucontext, or (x86-64) the stack pointer at which msl_exec_switch pushed the rest.
#ifdef MSL_EXEC_UCONTEXT
typedef ucontext_t context;
inline void        switch_context(context * from, context * to) { swapcontext(from, to); }
#else
struct context {
    void * sp = nullptr;
};
extern "C" void msl_exec_switch(void ** save_sp, void * load_sp);
extern "C" void msl_exec_fiber_start();
inline void     switch_context(context * from, context * to) { msl_exec_switch(&from->sp, to->sp); }
#endif

enum class fiber_state { runnable, at_simd_op, at_simdgroup_barrier, at_threadgroup_barrier, done };

struct fiber {
    msl_exec::context context;
    char *            stack = nullptr; // stack_pool's
    fiber_state       state = fiber_state::runnable;
    int               op    = 0; // which simd function it waits at (the divergence check)
    int               lane  = 0;
    int               simdgroup = 0;
};

// the values the lanes bring to a simd function, and the copy they read their results from
struct simdgroup_exchange {
    alignas(16) unsigned char in[k_simd_width][64];
    alignas(16) unsigned char snapshot[k_simd_width][64];
    bool live[k_simd_width];
    const void * matrix_call[k_simd_width]; // a simdgroup matrix function: what each lane brought (on its stack)
    bool         collective_pending = false; // released, not yet performed: the first lane to resume performs it
};

// a variable the kernel declares in threadgroup memory (msl/msl_simd.h): its declaration, and where it lives
struct threadgroup_variable {
    const void * site;
    char *       at;
};

struct group_state {
    std::vector<fiber>                fibers;
    std::vector<simdgroup_exchange>   simdgroups;
    msl_exec::context                 scheduler;
    int                               current = -1;
    std::function<void(int)>          body;
    std::vector<threadgroup_variable> variables;
    char *                            variables_next = nullptr; // free threadgroup memory after the dispatch's
    char *                            variables_end  = nullptr;
};

// the one threadgroup running now (kernels run one threadgroup at a time), and what to name in an abort
inline group_state *& running() { static group_state * t = nullptr; return t; }
inline const char *&  kernel_name() { static const char * name = "?"; return name; }
inline const char *&  shared_lo() { static const char * p = nullptr; return p; }
inline const char *&  shared_hi() { static const char * p = nullptr; return p; }
// while a lane performs a simdgroup matrix function for its simdgroup, its memory accesses are one step: no yield
inline bool &         in_collective() { static bool b = false; return b; }

[[noreturn]] inline void fail(const char * what) {
    fprintf(stderr, "msl_exec: %s: %s\n", kernel_name(), what);
    abort();
}

inline void yield() {
    group_state & t = *running();
    switch_context(&t.fibers[t.current].context, &t.scheduler);
}

extern "C" __attribute__((used)) inline void msl_exec_fiber_entry() {
    group_state & t  = *running();
    const int     id = t.current;
    t.body(id);
    t.fibers[id].state = fiber_state::done;
    switch_context(&t.fibers[id].context, &t.scheduler);
    fail("a finished fiber was resumed");
}

// The fibers' stacks, kept from one threadgroup to the next (a fresh zeroed stack per thread per threadgroup cost a
// page-fault's worth of time each); not zeroed, as a GPU thread's registers are not.
inline char * fiber_stack(int i, size_t bytes) {
    static std::vector<std::unique_ptr<char[]>> stacks;
    static size_t                               stack_bytes = 0;
    if (bytes != stack_bytes) {
        stacks.clear();
        stack_bytes = bytes;
    }
    while ((int) stacks.size() <= i) stacks.emplace_back(new char[bytes]);
    return stacks[i].get();
}

// f starts at msl_exec_fiber_entry on its own stack the first time it is switched to
inline void start_fiber(fiber & f, size_t stack_bytes) {
#ifdef MSL_EXEC_UCONTEXT
    getcontext(&f.context);
    f.context.uc_stack.ss_sp   = f.stack;
    f.context.uc_stack.ss_size = stack_bytes;
    f.context.uc_link          = nullptr;
    makecontext(&f.context, (void (*)()) msl_exec_fiber_entry, 0);
#else
    // what msl_exec_switch pops: MXCSR and x87 control word (8 bytes), r15, r14, r13, r12, rbx, rbp, then the return
    // address msl_exec_fiber_start, entered with a 16-byte aligned stack
    uintptr_t top = ((uintptr_t) f.stack + stack_bytes) & ~(uintptr_t) 15;
    void **   sp  = (void **) (top - 16);
    *--sp         = (void *) msl_exec_fiber_start;
    for (int r = 0; r < 6; ++r) *--sp = nullptr;
    --sp;
    uint32_t control[2];
    __asm__ volatile("stmxcsr %0\n\tfnstcw %1" : "=m"(control[0]), "=m"(control[1]));
    memcpy(sp, control, sizeof(control));
    f.context.sp = sp;
#endif
}

// a simdgroup whose live lanes all wait (at one simd function, or at a simdgroup barrier) goes on
inline bool release_simdgroup(group_state & t, int s) {
    const int n = (int) t.fibers.size();
    int live = 0, waiting = 0, op = -1;
    for (int l = 0; l < k_simd_width && s * k_simd_width + l < n; ++l) {
        const fiber & f = t.fibers[s * k_simd_width + l];
        if (f.state == fiber_state::done) continue;
        ++live;
        if (f.state == fiber_state::at_simd_op || f.state == fiber_state::at_simdgroup_barrier) {
            ++waiting;
            if (op == -1) op = f.op;
            else if (f.op != op) fail("divergent simdgroup function: lanes of one simdgroup wait at different ones");
        }
    }
    if (live == 0 || waiting != live) return false;
    simdgroup_exchange & x = t.simdgroups[s];
    memcpy(x.snapshot, x.in, sizeof(x.in));
    x.collective_pending = true;
    for (int l = 0; l < k_simd_width; ++l) {
        const int i = s * k_simd_width + l;
        x.live[l]   = i < n && t.fibers[i].state != fiber_state::done;
        if (x.live[l]) t.fibers[i].state = fiber_state::runnable;
    }
    return true;
}

// runs one threadgroup of n threads; body(i) is thread i (lane i % 32 of simdgroup i / 32); its declared threadgroup
// variables go in [variables, variables_end); returns the end of those it placed
inline char * run_threadgroup(int n, std::function<void(int)> body, char * variables = nullptr,
                            char * variables_end = nullptr, size_t stack_bytes = 256 * 1024) {
    group_state t;
    t.body           = std::move(body);
    t.variables_next = variables;
    t.variables_end  = variables_end;
    t.fibers.resize(n);
    t.simdgroups.resize((n + k_simd_width - 1) / k_simd_width);
    running() = &t;
    for (int i = 0; i < n; ++i) {
        fiber & f    = t.fibers[i];
        f.lane       = i % k_simd_width;
        f.simdgroup  = i / k_simd_width;
        f.stack      = fiber_stack(i, stack_bytes);
        start_fiber(f, stack_bytes);
    }
    for (;;) {
        // One simdgroup at a time, as far as it goes before a threadgroup barrier: the simdgroups of a threadgroup run
        // as skewed as they can, so that one reading what another has not written yet (a missing barrier) shows.
        bool progress = false;
        for (int s = 0; s < (int) t.simdgroups.size(); ++s) {
            for (;;) {
                bool ran = false;
                for (int i = s * k_simd_width; i < n && i < (s + 1) * k_simd_width; ++i) {
                    if (t.fibers[i].state != fiber_state::runnable) continue;
                    t.current = i;
                    switch_context(&t.scheduler, &t.fibers[i].context);
                    ran = true;
                }
                const bool released = release_simdgroup(t, s);
                progress |= ran || released;
                if (!ran && !released) break;
            }
        }
        int live = 0, at_barrier = 0;
        for (const fiber & f : t.fibers) {
            live += f.state != fiber_state::done;
            at_barrier += f.state == fiber_state::at_threadgroup_barrier;
        }
        if (live == 0) break;
        if (at_barrier == live) {
            for (fiber & f : t.fibers) f.state = fiber_state::runnable;
            progress = true;
        }
        if (!progress) fail("deadlock: threads wait at a barrier or simdgroup function that others never reach");
    }
    running() = nullptr;
    return t.variables_next;
}

// a simd function: bring x, wait for the simdgroup, compute this lane's result from what every lane brought
template <typename T, typename F> T simd_op(int op, const T & x, F && result) {
    static_assert(sizeof(T) <= 64, "simd value too large");
    group_state &        t  = *running();
    fiber &              me = t.fibers[t.current];
    simdgroup_exchange & x_ = t.simdgroups[me.simdgroup];
    memcpy(x_.in[me.lane], &x, sizeof(T));
    me.op    = op;
    me.state = fiber_state::at_simd_op;
    yield();
    auto lane_value = [&](int l) {
        T v;
        memcpy(&v, x_.snapshot[l], sizeof(T));
        return v;
    };
    return result(me.lane, lane_value, x_.live);
}

// A simdgroup matrix function: every lane brings what it called it with (call: on its stack) and waits for the
// simdgroup; the first lane to resume performs it once for all of them (perform(calls): check that every lane brought
// the same arguments, then read or write memory and every lane's result), before any lane runs on, so a load sees
// threadgroup memory as the lockstep left it. All 32 lanes must take part (Metal requires uniform control flow).
template <typename F> void matrix_op(int op, const void * call, F && perform) {
    group_state &        t  = *running();
    fiber &              me = t.fibers[t.current];
    simdgroup_exchange & x  = t.simdgroups[me.simdgroup];
    x.matrix_call[me.lane]  = call;
    me.op                   = op;
    me.state                = fiber_state::at_simd_op;
    yield();
    if (!x.collective_pending) return;
    x.collective_pending = false;
    for (int l = 0; l < k_simd_width; ++l)
        if (!x.live[l]) fail("simdgroup matrix function called by fewer than the 32 lanes of a simdgroup");
    in_collective() = true;
    perform(x.matrix_call);
    in_collective() = false;
}

__attribute__((no_sanitize("coverage"))) inline void on_memory_access(const void * a) {
    if (running() && !in_collective() && (const char *) a >= shared_lo() && (const char *) a < shared_hi()) yield();
}

// One dispatch: a grid of threadgroups of (tx, ty, tz) threads; thread(tgpig, tid, shared) runs one thread.
struct grid {
    uint32_t groups[3];
    uint32_t threads[3];
};
// The threadgroup memory of one threadgroup: the dispatch's (set_threadgroup_memory_length), then the variables the
// kernel declares (placed as its threads reach their declarations), both within Apple's 32 KiB.
inline void dispatch(const char * kernel_id, const grid & g, size_t shared_bytes,
                     const std::function<void(const uint32_t * tgpig, int tid, char * shared)> & run_thread) {
    kernel_name()   = kernel_id;
    const int n     = (int) (g.threads[0] * g.threads[1] * g.threads[2]);
    if (n > k_max_threads_per_group) fail("more threads per threadgroup than Apple GPUs allow (1024)");
    if (shared_bytes > k_max_threadgroup_memory) fail("more threadgroup memory than Apple GPUs allow (32 KiB)");
    const size_t      dynamic_bytes = (shared_bytes + 15) / 16 * 16;
    std::vector<char> shared(k_max_threadgroup_memory + 16, (char) 0xFF); // uninitialised: NaN
    size_t            used = shared_bytes + 16;
    for (uint32_t z = 0; z < g.groups[2]; ++z) {
        for (uint32_t y = 0; y < g.groups[1]; ++y) {
            for (uint32_t x = 0; x < g.groups[0]; ++x) {
                memset(shared.data(), 0xFF, used);
                shared_lo() = shared.data();
                shared_hi() = shared.data() + shared.size();
                const uint32_t tgpig[3] = { x, y, z };
                char * const   end = run_threadgroup(n, [&](int tid) { run_thread(tgpig, tid, shared.data()); },
                                                 shared.data() + dynamic_bytes, shared.data() + k_max_threadgroup_memory);
                used = std::max(used, (size_t) (end - shared.data()));
            }
        }
    }
    shared_lo() = shared_hi() = nullptr;
}

} // namespace msl_exec

#ifndef MSL_EXEC_UCONTEXT
// msl_exec_switch(save_sp, load_sp): push the callee-saved registers (System V x86-64: rbp, rbx, r12-r15) and MXCSR
// with the x87 control word, store the stack pointer in *save_sp, load load_sp, pop the same from there and return
// into the other fiber. The caller-saved registers are the compiler's to save around the call. msl_exec_fiber_start
// is where a new fiber's first switch returns to. Weak and hidden: every object that includes this header has a copy.
__asm__(".text\n"
        ".weak msl_exec_switch\n.hidden msl_exec_switch\n.type msl_exec_switch,@function\n"
        "msl_exec_switch:\n"
        "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
        "  subq $8, %rsp\n  stmxcsr (%rsp)\n  fnstcw 4(%rsp)\n"
        "  movq %rsp, (%rdi)\n"
        "  movq %rsi, %rsp\n"
        "  ldmxcsr (%rsp)\n  fldcw 4(%rsp)\n  addq $8, %rsp\n"
        "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
        "  ret\n"
        ".size msl_exec_switch, .-msl_exec_switch\n"
        ".weak msl_exec_fiber_start\n.hidden msl_exec_fiber_start\n.type msl_exec_fiber_start,@function\n"
        "msl_exec_fiber_start:\n"
        "  call msl_exec_fiber_entry\n"
        "  ud2\n"
        ".size msl_exec_fiber_start, .-msl_exec_fiber_start\n");
#endif

extern "C" {
#define MSL_EXEC_ACCESS_HOOKS(n, T)                                                                                   \
    __attribute__((weak, no_sanitize("coverage"))) void __sanitizer_cov_load##n(T * a) { msl_exec::on_memory_access(a); }   \
    __attribute__((weak, no_sanitize("coverage"))) void __sanitizer_cov_store##n(T * a) { msl_exec::on_memory_access(a); }
MSL_EXEC_ACCESS_HOOKS(1, uint8_t)
MSL_EXEC_ACCESS_HOOKS(2, uint16_t)
MSL_EXEC_ACCESS_HOOKS(4, uint32_t)
MSL_EXEC_ACCESS_HOOKS(8, uint64_t)
MSL_EXEC_ACCESS_HOOKS(16, __int128)
#undef MSL_EXEC_ACCESS_HOOKS
// clang traces loads and stores only along with a coverage kind (inline-8bit-counters); its counters are unused
__attribute__((weak, no_sanitize("coverage"))) void __sanitizer_cov_8bit_counters_init(char *, char *) {}
}

namespace metal {

inline void threadgroup_barrier(mem_flags) {
    msl_exec::group_state & t = *msl_exec::running();
    t.fibers[t.current].state = msl_exec::fiber_state::at_threadgroup_barrier;
    msl_exec::yield();
}
// every thread of the threadgroup that reaches the declaration gets the same object; the first places it
template <typename T> __attribute__((no_sanitize("coverage"))) T & msl_threadgroup_variable(const void * site) {
    msl_exec::group_state & t = *msl_exec::running();
    for (const msl_exec::threadgroup_variable & v : t.variables) {
        if (v.site == site) return *(T *) v.at;
    }
    char * const at = t.variables_next + (-(uintptr_t) t.variables_next & (alignof(T) < 16 ? 15 : alignof(T) - 1));
    if (!at || at + sizeof(T) > t.variables_end) {
        msl_exec::fail("more threadgroup memory than Apple GPUs allow (32 KiB), with the variables the kernel declares");
    }
    t.variables_next = at + sizeof(T);
    t.variables.push_back({ site, at });
    return *(T *) at;
}
inline void simdgroup_barrier(mem_flags) {
    msl_exec::group_state & t = *msl_exec::running();
    t.fibers[t.current].op    = msl_exec::k_simdgroup_barrier_op_id;
    t.fibers[t.current].state = msl_exec::fiber_state::at_simdgroup_barrier;
    msl_exec::yield();
}

#define MSL_EXEC_REDUCE(name, id, combine)                                                                            \
    template <typename T> T name(T x) {                                                                               \
        return msl_exec::simd_op(id, x, [](int, auto value, const bool * live) {                                      \
            bool first = true;                                                                                        \
            T    r{};                                                                                                 \
            for (int l = 0; l < msl_exec::k_simd_width; ++l) {                                                        \
                if (!live[l]) continue;                                                                               \
                const T v = value(l);                                                                                 \
                r         = first ? v : (T) (combine);                                                                \
                first     = false;                                                                                    \
            }                                                                                                         \
            return r;                                                                                                 \
        });                                                                                                           \
    }
MSL_EXEC_REDUCE(simd_sum, 1, r + v)
MSL_EXEC_REDUCE(simd_max, 2, max(r, v))
MSL_EXEC_REDUCE(simd_min, 3, min(r, v))
MSL_EXEC_REDUCE(simd_product, 4, r * v)
#undef MSL_EXEC_REDUCE

template <typename T> T simd_prefix_exclusive_sum(T x) {
    return msl_exec::simd_op(5, x, [](int me, auto value, const bool * live) {
        T r = T(0);
        for (int l = 0; l < me; ++l)
            if (live[l]) r = r + value(l);
        return r;
    });
}
template <typename T> T simd_prefix_inclusive_sum(T x) {
    return msl_exec::simd_op(6, x, [](int me, auto value, const bool * live) {
        T r = T(0);
        for (int l = 0; l <= me; ++l)
            if (live[l]) r = r + value(l);
        return r;
    });
}
// reading an inactive or out-of-range lane is undefined in MSL; here it returns the lane's own value
#define MSL_EXEC_SHUFFLE(name, id, source_lane)                                                                       \
    template <typename T> T name(T x, ushort a) {                                                                     \
        return msl_exec::simd_op(id, x, [x, a](int me, auto value, const bool * live) {                               \
            const int s = (source_lane);                                                                              \
            return (s >= 0 && s < msl_exec::k_simd_width && live[s]) ? value(s) : x;                                  \
        });                                                                                                           \
    }
MSL_EXEC_SHUFFLE(simd_shuffle, 7, (int) a)
MSL_EXEC_SHUFFLE(simd_shuffle_down, 8, me + (int) a)
MSL_EXEC_SHUFFLE(simd_shuffle_up, 9, me - (int) a)
MSL_EXEC_SHUFFLE(simd_shuffle_xor, 10, me ^ (int) a)
MSL_EXEC_SHUFFLE(simd_broadcast, 11, (int) a)
#undef MSL_EXEC_SHUFFLE
template <typename T> T simd_broadcast_first(T x) {
    return msl_exec::simd_op(12, x, [](int, auto value, const bool * live) {
        for (int l = 0; l < msl_exec::k_simd_width; ++l)
            if (live[l]) return value(l);
        return T{};
    });
}
inline bool simd_all(bool x) {
    return msl_exec::simd_op(13, x, [](int, auto value, const bool * live) {
        for (int l = 0; l < msl_exec::k_simd_width; ++l)
            if (live[l] && !value(l)) return false;
        return true;
    });
}
inline bool simd_any(bool x) {
    return msl_exec::simd_op(14, x, [](int, auto value, const bool * live) {
        for (int l = 0; l < msl_exec::k_simd_width; ++l)
            if (live[l] && value(l)) return true;
        return false;
    });
}

// Simdgroup matrices (8x8, what fa.metal's prompt kernel uses). Metal spreads a matrix over the 32 lanes; here each
// lane's object holds the whole tile, and load, store and the products are meeting points of the simdgroup
// (msl_exec::matrix_op): every lane must arrive with the same pointer, stride, origin and transpose flag (a load or
// store) or the same operand tiles (a store, a product), else the run aborts with the kernel's name (divergence is
// undefined on a GPU). A product accumulates in the destination's type, k = 0..7 in order from c, each multiply and
// each add rounded to that type (float for float, half for half); Apple documents neither its order nor its rounding.
} // namespace metal

namespace msl_exec {


template <typename T, int C, int R> struct matrix_call {
    const void *                          mem;    // load, store: the memory
    ulong                                 stride; // elements per row of that memory
    ulong2                                origin; // (column, row) of the tile's first element in it
    bool                                  transpose;
    metal::simdgroup_matrix<T, C, R> *    d;      // this lane's result
    const metal::simdgroup_matrix<T, C, R> * a;   // this lane's tile (store)
};

template <typename M> void same_tile(const void * const * calls, const M * (*tile)(const void *), const char * what) {
    const M * mine = tile(calls[0]);
    for (int l = 1; l < k_simd_width; ++l)
        if (memcmp(tile(calls[l]), mine, sizeof(M)) != 0) fail(what);
}

// the element at (row r, column c) of a tile in memory: base[(origin.y + r)*stride + origin.x + c], transposed when
// asked; the tile must lie inside threadgroup memory when it starts there
template <typename T, int C, int R> T * element(const matrix_call<T, C, R> & m, int r, int c) {
    const int mr = m.transpose ? c : r, mc = m.transpose ? r : c;
    T * p = (T *) m.mem + (m.origin.y + mr) * m.stride + m.origin.x + mc;
    const char * lo = shared_lo();
    if ((const char *) m.mem >= lo && (const char *) m.mem < shared_hi() &&
        ((const char *) p < lo || (const char *) (p + 1) > shared_hi())) {
        fail("simdgroup_load/store past the end of threadgroup memory");
    }
    return p;
}

template <typename T, int C, int R> void same_memory_args(const void * const * calls, const char * what) {
    const auto & m0 = *(const matrix_call<T, C, R> *) calls[0];
    for (int l = 1; l < k_simd_width; ++l) {
        const auto & m = *(const matrix_call<T, C, R> *) calls[l];
        if (m.mem != m0.mem || m.stride != m0.stride || m.origin.x != m0.origin.x || m.origin.y != m0.origin.y ||
            m.transpose != m0.transpose) {
            fail(what);
        }
    }
}

template <typename TD, typename TA, typename TB, typename TC, int M, int N, int K> struct product_call {
    metal::simdgroup_matrix<TD, N, M> *       d;
    const metal::simdgroup_matrix<TA, K, M> * a;
    const metal::simdgroup_matrix<TB, N, K> * b;
    const metal::simdgroup_matrix<TC, N, M> * c; // null: simdgroup_multiply
};

template <typename TD, typename TA, typename TB, typename TC, int M, int N, int K>
void product(const void * const * calls) {
    typedef product_call<TD, TA, TB, TC, M, N, K> P;
    const P & p0 = *(const P *) calls[0];
    same_tile<metal::simdgroup_matrix<TA, K, M>>(calls, [](const void * c) { return ((const P *) c)->a; },
                                                 "simdgroup_multiply: lanes hold different A tiles");
    same_tile<metal::simdgroup_matrix<TB, N, K>>(calls, [](const void * c) { return ((const P *) c)->b; },
                                                 "simdgroup_multiply: lanes hold different B tiles");
    if (p0.c) {
        same_tile<metal::simdgroup_matrix<TC, N, M>>(calls, [](const void * c) { return ((const P *) c)->c; },
                                                     "simdgroup_multiply_accumulate: lanes hold different C tiles");
    }
    metal::simdgroup_matrix<TD, N, M> d;
    for (int i = 0; i < M; ++i) {
        for (int j = 0; j < N; ++j) {
            TD acc = p0.c ? (TD) p0.c->e[i][j] : (TD) 0;
            for (int k = 0; k < K; ++k) {
                const TD prod = (TD) ((TD) p0.a->e[i][k] * (TD) p0.b->e[k][j]);
                acc           = (TD) (acc + prod);
            }
            d.e[i][j] = acc;
        }
    }
    for (int l = 0; l < k_simd_width; ++l) *((const P *) calls[l])->d = d;
}

constexpr int k_op_matrix_load = 20, k_op_matrix_store = 21, k_op_matrix_multiply = 22,
              k_op_matrix_multiply_accumulate = 23;

} // namespace msl_exec

namespace metal {

// a value every lane constructs for itself: not a meeting point
template <typename T, int C, int R> simdgroup_matrix<T, C, R> make_filled_simdgroup_matrix(const T value) {
    simdgroup_matrix<T, C, R> m;
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < C; ++j) m.e[i][j] = value;
    return m;
}

template <typename T, int C, int R>
void simdgroup_load(simdgroup_matrix<T, C, R> & d, const T * src, ulong elements_per_row, ulong2 matrix_origin,
                    bool transpose) {
    static_assert(C == 8 && R == 8, "only 8x8 simdgroup matrices are emulated");
    const msl_exec::matrix_call<T, C, R> call = { src, elements_per_row, matrix_origin, transpose, &d, nullptr };
    msl_exec::matrix_op(msl_exec::k_op_matrix_load, &call, [](const void * const * calls) {
        msl_exec::same_memory_args<T, C, R>(calls, "simdgroup_load: lanes of one simdgroup load different tiles");
        const auto & m = *(const msl_exec::matrix_call<T, C, R> *) calls[0];
        simdgroup_matrix<T, C, R> t;
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) t.e[r][c] = *msl_exec::element(m, r, c);
        for (int l = 0; l < msl_exec::k_simd_width; ++l) *((const msl_exec::matrix_call<T, C, R> *) calls[l])->d = t;
    });
}

template <typename T, int C, int R>
void simdgroup_store(const simdgroup_matrix<T, C, R> & a, T * dst, ulong elements_per_row, ulong2 matrix_origin,
                     bool transpose) {
    static_assert(C == 8 && R == 8, "only 8x8 simdgroup matrices are emulated");
    typedef msl_exec::matrix_call<T, C, R> M;
    const M call = { dst, elements_per_row, matrix_origin, transpose, nullptr, &a };
    msl_exec::matrix_op(msl_exec::k_op_matrix_store, &call, [](const void * const * calls) {
        msl_exec::same_memory_args<T, C, R>(calls, "simdgroup_store: lanes of one simdgroup store to different places");
        msl_exec::same_tile<simdgroup_matrix<T, C, R>>(calls, [](const void * c) { return ((const M *) c)->a; },
                                                       "simdgroup_store: lanes hold different tiles");
        const M & m = *(const M *) calls[0];
        for (int r = 0; r < R; ++r)
            for (int c = 0; c < C; ++c) *msl_exec::element(m, r, c) = m.a->e[r][c];
    });
}

template <typename TD, typename TA, typename TB, typename TC, int M, int N, int K>
void simdgroup_multiply_accumulate(simdgroup_matrix<TD, N, M> & d, const simdgroup_matrix<TA, K, M> & a,
                                   const simdgroup_matrix<TB, N, K> & b, const simdgroup_matrix<TC, N, M> & c) {
    const msl_exec::product_call<TD, TA, TB, TC, M, N, K> call = { &d, &a, &b, &c };
    msl_exec::matrix_op(msl_exec::k_op_matrix_multiply_accumulate, &call, msl_exec::product<TD, TA, TB, TC, M, N, K>);
}
template <typename TD, typename TA, typename TB, int M, int N, int K>
void simdgroup_multiply(simdgroup_matrix<TD, N, M> & d, const simdgroup_matrix<TA, K, M> & a,
                        const simdgroup_matrix<TB, N, K> & b) {
    const msl_exec::product_call<TD, TA, TB, TD, M, N, K> call = { &d, &a, &b, nullptr };
    msl_exec::matrix_op(msl_exec::k_op_matrix_multiply, &call, msl_exec::product<TD, TA, TB, TD, M, N, K>);
}

} // namespace metal
