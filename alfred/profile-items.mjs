// Alfred Script Filter output for the KVSplit profiles that fit the model the server loads, read from
// `kvsplit profile list --json` (piped in by the Script Filter). Alfred filters the items as the user types.
// Plain Node without dependencies: it runs from the workflow folder, outside the checkout's node_modules.
//
// usage: kvsplit profile list --json 2>&1 | node profile-items.mjs <kvsplit's exit status>
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import process from "node:process";

const [status] = process.argv.slice(2);
const input = readFileSync(0, "utf8");
process.stdout.write(`${JSON.stringify({ items: status === "0" ? profileItems(input) : [failureItem(input)] })}\n`);

function profileItems(json) {
  const listing = JSON.parse(json);
  const items = listing.profiles.map((profile) => {
    const active = profile.name === listing.active;
    const subtitle = [
      active ? "active" : undefined,
      describeCache(profile.cache),
      profile.quality ? `ΔPPL ${signed(profile.quality.deltaPplPct)}%` : undefined,
      profile.description,
    ]
      .filter(Boolean)
      .join(" · ");
    return {
      uid: profile.name,
      title: profile.name,
      subtitle,
      arg: profile.name,
      autocomplete: profile.name,
      // "k8v4" is found by "k8", a tuned "gemma-split" by "split"
      match: `${profile.name} ${profile.name.replaceAll(/[-_]/g, " ")}`,
      valid: true,
      text: { copy: profile.name, largetype: `${profile.name}: ${subtitle}` },
    };
  });
  if (listing.otherModels.length > 0) {
    items.push({
      uid: "other-models",
      title: `${count(listing.otherModels.length, "profile")} for other models not shown`,
      subtitle: `${listing.otherModels.join(", ")}; the server loads ${basename(listing.model)}`,
      valid: false,
    });
  }
  return items;
}

function describeCache(cache) {
  if (cache.mode === "uniform") return `K ${cache.k}, V ${cache.v}`;
  return `per layer: ${cache.k.length} layers`;
}

function count(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function signed(value) {
  return `${value >= 0 ? "+" : ""}${value.toFixed(2)}`;
}

// kvsplit said why it failed on its last line ("kvsplit: ..."); Alfred shows it as a result that cannot be chosen
function failureItem(output) {
  const reason = output.trim().split("\n").at(-1) || "kvsplit printed nothing";
  return {
    uid: "error",
    title: "KVSplit could not list the profiles",
    subtitle: reason,
    valid: false,
    text: { copy: output, largetype: reason },
  };
}
