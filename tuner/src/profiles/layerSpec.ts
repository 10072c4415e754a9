import { InvalidLayerSpecError } from "./errors/InvalidLayerSpecError.ts";
import { kvTypeSchema, kvTypes, type KvType } from "./kvType.ts";

/**
 * SPEC strings for --cache-type-k-layers / --cache-type-v-layers, parsed by the same rules as native patch 0003
 * (common_kv_cache_layer_types_parse): either one type per layer from layer 0, or `A-B:TYPE` / `C:TYPE` ranges;
 * never both, no empty entries, no layer named twice.
 */

/** Types indexed by layer; `undefined` marks a layer the spec leaves to -ctk/-ctv. */
export type LayerTypes = (KvType | undefined)[];

// patch 0003 caps layer indices at 5 digits and 65536 layers
const maxLayers = 65536;

export function parseLayerSpec(spec: string): LayerTypes {
  const types: LayerTypes = [];
  let positional = false;
  let ranged = false;
  for (const item of spec.split(",")) {
    if (item === "") throw new InvalidLayerSpecError(spec, "empty entry");
    const colon = item.indexOf(":");
    if (colon < 0) {
      positional = true;
      types.push(parseType(spec, item));
      continue;
    }
    ranged = true;
    const type = parseType(spec, item.slice(colon + 1));
    const [first, last] = parseRange(spec, item.slice(0, colon));
    for (let layer = first; layer <= last; layer++) {
      if (types[layer] !== undefined) throw new InvalidLayerSpecError(spec, `layer ${layer} is named twice`);
      types[layer] = type;
    }
  }
  if (positional && ranged) {
    throw new InvalidLayerSpecError(spec, "it mixes a per-layer list with ranges");
  }
  // a sparse array would skip holes in map/forEach; make every unnamed layer an explicit undefined
  return Array.from(types);
}

/** Every layer's type: what the spec names, `fallback` (the -ctk/-ctv type) for the rest. */
export function expandLayerSpec(spec: string, nLayer: number, fallback: KvType): KvType[] {
  const types = parseLayerSpec(spec);
  if (types.length > nLayer) {
    throw new InvalidLayerSpecError(
      spec,
      `it names layer ${types.length - 1}, but the model has ${nLayer} layers (0-${nLayer - 1})`,
    );
  }
  return Array.from({ length: nLayer }, (_, layer) => types[layer] ?? fallback);
}

/** The shortest range form: runs of equal types become `A-B:TYPE`, single layers `C:TYPE`. */
export function formatLayerSpec(types: readonly KvType[]): string {
  const runs: string[] = [];
  let start = 0;
  for (let layer = 1; layer <= types.length; layer++) {
    if (layer === types.length || types[layer] !== types[start]) {
      const range = layer - 1 === start ? `${start}` : `${start}-${layer - 1}`;
      runs.push(`${range}:${types[start]}`);
      start = layer;
    }
  }
  return runs.join(",");
}

function parseType(spec: string, name: string): KvType {
  const parsed = kvTypeSchema.safeParse(name);
  if (!parsed.success) {
    throw new InvalidLayerSpecError(spec, `unknown cache type "${name}" (allowed: ${kvTypes.join(", ")})`);
  }
  return parsed.data;
}

function parseRange(spec: string, range: string): [number, number] {
  const dash = range.indexOf("-");
  const first = parseLayer(spec, dash < 0 ? range : range.slice(0, dash));
  const last = dash < 0 ? first : parseLayer(spec, range.slice(dash + 1));
  if (last < first || last >= maxLayers) throw new InvalidLayerSpecError(spec, `invalid layer range "${range}"`);
  return [first, last];
}

function parseLayer(spec: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new InvalidLayerSpecError(spec, `invalid layer index "${text}"`);
  return Number(text);
}
