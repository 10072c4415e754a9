import { z } from "zod";

/**
 * Alfred 5.5's Text View JSON format (https://www.alfredapp.com/help/workflows/user-interface/text/json/), strict:
 * a misspelled key is an error here, as Alfred would silently ignore it.
 */
export const textViewOutputSchema = z.strictObject({
  response: z.string().optional(),
  footer: z.string().optional(),
  actionoutput: z.boolean().optional(),
  /** seconds until Alfred runs the script again (as for a Script Filter: 0.1 to 5) */
  rerun: z.number().min(0.1).max(5).optional(),
  /** passed to the next run (a rerun) and on to the objects after the view, as a Script Filter's are */
  variables: z.record(z.string(), z.string()).optional(),
  behaviour: z
    .strictObject({
      response: z.enum(["replace", "append", "prepend", "replacelast"]).optional(),
      scroll: z.enum(["auto", "start", "end"]).optional(),
      inputfield: z.enum(["clear", "select"]).optional(),
    })
    .optional(),
});

export type TextViewOutput = z.infer<typeof textViewOutputSchema>;
