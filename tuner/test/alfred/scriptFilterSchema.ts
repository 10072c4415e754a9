import { z } from "zod";

/**
 * Alfred 5's Script Filter JSON format (https://www.alfredapp.com/help/workflows/inputs/script-filter/json/),
 * strict: a misspelled key is an error here, as Alfred would silently ignore it.
 */
const modifierKeys = /^(cmd|alt|ctrl|shift|fn)(\+(cmd|alt|ctrl|shift|fn))*$/;

const argSchema = z.union([z.string(), z.array(z.string())]);
const variablesSchema = z.record(z.string(), z.string());

const iconSchema = z.strictObject({
  type: z.enum(["fileicon", "filetype"]).optional(),
  path: z.string().min(1),
});

const modSchema = z.strictObject({
  valid: z.boolean().optional(),
  arg: argSchema.optional(),
  subtitle: z.string().optional(),
  icon: iconSchema.optional(),
  variables: variablesSchema.optional(),
});

export const scriptFilterItemSchema = z.strictObject({
  uid: z.string().min(1).optional(),
  title: z.string().min(1),
  subtitle: z.string().optional(),
  arg: argSchema.optional(),
  icon: iconSchema.optional(),
  /** false: the item cannot be actioned (Alfred shows it, Enter does nothing) */
  valid: z.boolean().optional(),
  match: z.string().optional(),
  autocomplete: z.string().optional(),
  type: z.enum(["default", "file", "file:skipcheck"]).optional(),
  mods: z.record(z.string().regex(modifierKeys), modSchema).optional(),
  action: z.union([argSchema, z.record(z.enum(["text", "url", "file", "auto"]), argSchema)]).optional(),
  text: z.strictObject({ copy: z.string().optional(), largetype: z.string().optional() }).optional(),
  quicklookurl: z.string().optional(),
  variables: variablesSchema.optional(),
});

export const scriptFilterOutputSchema = z.strictObject({
  items: z.array(scriptFilterItemSchema),
  variables: variablesSchema.optional(),
  rerun: z.number().min(0.1).max(5).optional(),
  cache: z
    .strictObject({ seconds: z.number().int().min(5).max(86_400), loosereload: z.boolean().optional() })
    .optional(),
  skipknowledge: z.boolean().optional(),
});

export type ScriptFilterOutput = z.infer<typeof scriptFilterOutputSchema>;
