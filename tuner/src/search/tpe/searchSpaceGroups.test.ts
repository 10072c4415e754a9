import { describe, expect, it } from "vitest";
import { categorical, float, int } from "./distributions.ts";
import { groupDecomposedSearchSpace, intersectionSearchSpace } from "./searchSpaceGroups.ts";
import type { FrozenTrial, Params } from "./types.ts";

const space = { kind: categorical(["A", "B"]), y: float(-10, 10), z: int(-10, 10), w: float(0, 1) };
const done = (params: Params): FrozenTrial => ({ params, value: 0, state: "complete" });

describe("intersectionSearchSpace", () => {
  it("keeps the parameters every completed trial has a valid value for, in space order", () => {
    const trials: FrozenTrial[] = [
      done({ kind: "A", y: 1, w: 0.5 }),
      done({ kind: "B", z: 3, w: 0.1, y: 2 }),
      { params: { kind: "A" }, state: "failed" }, // ignored
      { params: {}, state: "running" }, // ignored
    ];
    expect(Object.keys(intersectionSearchSpace(space, trials))).toEqual(["kind", "y", "w"]);
  });

  it("drops a parameter whose recorded value does not fit the space", () => {
    const trials = [done({ kind: "A", y: 1 }), done({ kind: "C", y: 11 })];
    expect(Object.keys(intersectionSearchSpace(space, trials))).toEqual([]);
    expect(Object.keys(intersectionSearchSpace(space, []))).toEqual([]);
  });
});

describe("groupDecomposedSearchSpace", () => {
  it("splits parameters into the groups that always occur together (Optuna's conditional example)", () => {
    const trials = [
      done({ kind: "A", y: 1, w: 0.2 }),
      done({ kind: "B", z: 2, w: 0.3 }),
      done({ kind: "A", y: -4, w: 0.9 }),
    ];
    const groups = groupDecomposedSearchSpace(space, trials).map((group) => Object.keys(group));
    expect(groups).toEqual([["kind", "w"], ["y"], ["z"]]);
  });

  it("is one group when every trial has every parameter", () => {
    const trials = [done({ kind: "A", y: 1, z: 0, w: 0 }), done({ kind: "B", y: 2, z: 1, w: 1 })];
    expect(groupDecomposedSearchSpace(space, trials).map((group) => Object.keys(group))).toEqual([
      ["kind", "w", "y", "z"],
    ]);
  });
});
