export class ProfileModelMismatchError extends Error {
  constructor(profileName: string, expected: string, actual: string) {
    super(`profile '${profileName}' was made for another model: it expects ${expected}, the model given is ${actual}`);
    this.name = "ProfileModelMismatchError";
  }
}
