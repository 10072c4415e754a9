/**
 * `text` with control characters (terminal escapes, NUL, carriage returns) written as `\x1b` and the like, so
 * echoing a file's bytes in an error never recolours, clears or rewrites the user's terminal. Newlines and tabs stay.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this replaces
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
