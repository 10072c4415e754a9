#pragma once

#include "ggml-metal-device.h"

#include <set>
#include <string>

// the Metal kernel functions (their host_name in kernels/*.metal) that the host asked the library for
const std::set<std::string> & metal_stub_requested_kernels();
void metal_stub_clear_requested_kernels();

// the one stub device, with the given properties
ggml_metal_device_t metal_stub_device(const ggml_metal_device_props & props);
