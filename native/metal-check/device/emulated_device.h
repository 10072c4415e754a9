#pragma once

#include "ggml-metal-device.h"

// the one emulated device (an Apple GPU's limits: 32 KiB threadgroup memory, simdgroup reductions, bfloat)
ggml_metal_device_t emulated_metal_device();

// how many dispatches the emulated device has run, all encoders together
long emulated_metal_dispatch_count();

#include <string>

// with throwing on: a dispatch of a kernel the emulated library lacks ends the encoding with this exception, naming
// the kernel, instead of aborting (a check of what the host dispatches before it)
struct emulated_missing_kernel {
    std::string name;
};
void emulated_metal_throw_on_missing_kernel(bool on);
