import type { ModelFacts } from "../model/gguf.ts";
import { kvCacheBytes } from "../model/kvBytes.ts";
import type { PerLayerTypes } from "../profiles/perLayerTypes.ts";
import type { KvType } from "../profiles/schema.ts";
import type { LayerGroups } from "./groups.ts";

/** One K type and one V type per group: what the sampler proposes. */
export interface GroupAssignment {
  k: KvType[];
  v: KvType[];
}

export type AssignmentParams = Record<string, KvType>;

export const paramName = (component: "k" | "v", group: number) => `g${group}_${component}`;

export function toLayerTypes(assignment: GroupAssignment, groups: LayerGroups, nLayer: number): PerLayerTypes {
  const k = Array<KvType>(nLayer);
  const v = Array<KvType>(nLayer);
  groups.forEach((group, g) => {
    for (const il of group) {
      k[il] = assignment.k[g]!;
      v[il] = assignment.v[g]!;
    }
  });
  return { k, v };
}

export function toParams(assignment: GroupAssignment): AssignmentParams {
  const params: AssignmentParams = {};
  assignment.k.forEach((type, g) => (params[paramName("k", g)] = type));
  assignment.v.forEach((type, g) => (params[paramName("v", g)] = type));
  return params;
}

export function fromParams(params: Record<string, unknown>, nGroups: number): GroupAssignment {
  const pick = (component: "k" | "v") =>
    Array.from({ length: nGroups }, (_, g) => params[paramName(component, g)] as KvType);
  return { k: pick("k"), v: pick("v") };
}

export const uniformAssignment = (nGroups: number, k: KvType, v: KvType): GroupAssignment => ({
  k: Array<KvType>(nGroups).fill(k),
  v: Array<KvType>(nGroups).fill(v),
});

/** The search's objective: K/V bytes of one sequence at the target context, by the formula checked against llama.cpp. */
export function assignmentBytes(facts: ModelFacts, types: PerLayerTypes, targetCtx: number): number {
  return kvCacheBytes(facts, types, { nCtx: targetCtx, nSeqMax: 1 }).total;
}

export const assignmentKey = (a: GroupAssignment) => `${a.k.join(",")}|${a.v.join(",")}`;
