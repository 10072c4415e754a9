export class NoProfileWithinBudgetError extends Error {
  constructor(budget: string, detail: string) {
    super(`no assignment met the budget (${budget}): ${detail}; nothing was saved`);
    this.name = "NoProfileWithinBudgetError";
  }
}

export class EvalTextTooShortToSplitError extends Error {
  constructor(textName: string, cause: string) {
    super(
      `eval text '${textName}' is too short to split into a search part and a disjoint confirmation part: ${cause}`,
    );
    this.name = "EvalTextTooShortToSplitError";
  }
}
