// Raycast's own lint rules (the root config ignores extension/, so the extension is linted with these alone).
import raycastConfig from "@raycast/eslint-config";

export default [{ ignores: ["dist/**", "node_modules/**", "raycast-env.d.ts"] }, ...raycastConfig];
