#!/usr/bin/env node
// Renders assets/icon.svg to the 512×512 PNG Raycast wants (assets/icon.png), copies it to extension/assets/, and
// renders the 256×256 icon.png at the root of the Alfred workflow (Alfred shows it for the workflow and its objects).
import { Resvg } from "@resvg/resvg-js";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const png = new Resvg(readFileSync(`${root}assets/icon.svg`), { fitTo: { mode: "width", value: 512 } }).render();
if (png.width !== 512 || png.height !== 512) throw new Error(`icon is ${png.width}×${png.height}; expected 512×512`);
writeFileSync(`${root}assets/icon.png`, png.asPng());
mkdirSync(`${root}extension/assets`, { recursive: true });
copyFileSync(`${root}assets/icon.png`, `${root}extension/assets/icon.png`);
const alfredIcon = new Resvg(readFileSync(`${root}assets/icon.svg`), { fitTo: { mode: "width", value: 256 } }).render();
writeFileSync(`${root}alfred/icon.png`, alfredIcon.asPng());
console.log("wrote assets/icon.png and extension/assets/icon.png (512×512), alfred/icon.png (256×256)");
