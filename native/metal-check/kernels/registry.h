// The compiled kernels as the emulated device sees them: each Metal library function, by its host_name, with the
// code that runs one dispatch of it, and every function constant of the library with where its value lives (the
// kernel files are C++ here, see msl/rewrite.sh: a function constant is a static the device sets before a dispatch).
// Kernel files register both with static registrars (kernels/build.sh writes those lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace msl_kernels {

constexpr int k_max_bindings = 32;

// what an encoder bound for one dispatch: set_bytes and set_buffer by index, threadgroup memory by index
struct bindings {
    const void * bytes[k_max_bindings];
    char *       buffers[k_max_bindings];
    size_t       threadgroup_memory[4];
};

struct dispatch_size {
    uint32_t groups[3];
    uint32_t threads[3];
};

typedef void (*kernel_runner)(const char * name, const bindings & b, const dispatch_size & d);

struct compiled_kernel {
    const char *  name;
    kernel_runner run;
};

struct function_constant {
    int32_t index;
    void *  value;
    size_t  size;
};

inline std::vector<compiled_kernel> & kernels() {
    static std::vector<compiled_kernel> all;
    return all;
}
inline std::vector<function_constant> & function_constants() {
    static std::vector<function_constant> all;
    return all;
}

inline const compiled_kernel * find_kernel(const char * name) {
    for (const compiled_kernel & k : kernels()) {
        if (strcmp(k.name, name) == 0) return &k;
    }
    return nullptr;
}

struct kernel_registrar {
    kernel_registrar(const char * name, kernel_runner run) { kernels().push_back({ name, run }); }
};
struct function_constant_registrar {
    function_constant_registrar(int32_t index, void * value, size_t size) {
        function_constants().push_back({ index, value, size });
    }
};

} // namespace msl_kernels
