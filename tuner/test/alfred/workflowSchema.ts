import { z } from "zod";

/** The parts of an Alfred 5 workflow's info.plist that KVSplit's workflow uses, as Alfred writes them. */
const uidSchema = z.string().regex(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);

/** A script run by /bin/bash (type 0) with the query as $1 (scriptargtype 1). */
export const bashScriptConfigSchema = z.object({
  type: z.literal(0),
  scriptargtype: z.literal(1),
  script: z.string().min(1),
  scriptfile: z.literal(""),
});

export const workflowObjectSchema = z.strictObject({
  uid: uidSchema,
  type: z.string().regex(/^alfred\.workflow\.(input|action|output|trigger|utility|userinterface)\.[a-z]+$/),
  version: z.number().int().positive(),
  config: z.record(z.string(), z.unknown()),
});

const connectionSchema = z.strictObject({
  destinationuid: uidSchema,
  modifiers: z.number().int().nonnegative(),
  modifiersubtext: z.string(),
  vitoclose: z.boolean(),
});

const userConfigurationSchema = z.strictObject({
  type: z.enum(["textfield", "textarea", "popupbutton", "checkbox", "filepicker"]),
  variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  label: z.string().min(1),
  description: z.string(),
  config: z.record(z.string(), z.unknown()),
});

export const workflowSchema = z.object({
  bundleid: z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/),
  name: z.string().min(1),
  description: z.string(),
  version: z.string(),
  readme: z.string(),
  disabled: z.boolean(),
  objects: z.array(workflowObjectSchema).min(1),
  connections: z.record(uidSchema, z.array(connectionSchema)),
  uidata: z.record(uidSchema, z.strictObject({ xpos: z.number(), ypos: z.number(), note: z.string().optional() })),
  userconfigurationconfig: z.array(userConfigurationSchema),
});

export type Workflow = z.infer<typeof workflowSchema>;
export type WorkflowObject = z.infer<typeof workflowObjectSchema>;

/** A keyword as the user sees it: one kept in a variable ("{var:kva_keyword}") is its configuration's default. */
export function keywordOf(workflow: Workflow, object: WorkflowObject): string {
  const configured = (name: string) =>
    workflow.userconfigurationconfig.find((entry) => entry.variable === name)?.config.default;
  return String(object.config.keyword ?? "").replace(/^\{var:(\w+)\}$/, (_, name: string) => String(configured(name)));
}
