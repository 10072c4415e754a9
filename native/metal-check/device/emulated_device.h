#pragma once

#include "ggml-metal-device.h"

// the one emulated device (an Apple GPU's limits: 32 KiB threadgroup memory, simdgroup reductions, bfloat)
ggml_metal_device_t emulated_metal_device();

// how many dispatches the emulated device has run, all encoders together
long emulated_metal_dispatch_count();
