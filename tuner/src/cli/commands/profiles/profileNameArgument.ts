/** The `<name>` positional every profiles subcommand takes. */
export const profileNameArgument = {
  type: "string",
  demandOption: true,
  description: "Profile name (see 'tuner profiles list')",
} as const;
