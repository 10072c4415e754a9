#!/usr/bin/env node
// Terminal twin of the Raycast extension: same server manager, same client.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/kvsplit.ts");
