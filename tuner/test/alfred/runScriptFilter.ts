import { execa } from "execa";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "plist";
import { scriptFilterOutputSchema, type ScriptFilterOutput } from "./scriptFilterSchema.ts";
import { bashScriptConfigSchema, keywordOf, workflowSchema } from "./workflowSchema.ts";

/**
 * Runs the workflow's Script Filter for `keyword` as Alfred runs it: bash in the workflow folder, a bare PATH and
 * only the variables given (Alfred is started by launchd: no shell's environment reaches it). Takes the folder
 * rather than finding it, so a jsdom test (whose URL cannot become a path) can call it.
 */
export async function runScriptFilter(
  alfredDir: string,
  keyword: string,
  query: string,
  variables: Record<string, string>,
): Promise<ScriptFilterOutput> {
  const workflow = workflowSchema.parse(parse(readFileSync(join(alfredDir, "info.plist"), "utf8")));
  const filter = workflow.objects.find(
    (object) => object.type === "alfred.workflow.input.scriptfilter" && keywordOf(workflow, object) === keyword,
  );
  if (!filter) throw new Error(`info.plist has no Script Filter with keyword "${keyword}"`);
  const result = await execa("bash", ["-c", bashScriptConfigSchema.parse(filter.config).script, "bash", query], {
    cwd: alfredDir,
    extendEnv: false,
    env: { PATH: "/usr/bin:/bin:/usr/sbin:/sbin", ...variables },
    reject: false,
  });
  return scriptFilterOutputSchema.parse(JSON.parse(result.stdout));
}
