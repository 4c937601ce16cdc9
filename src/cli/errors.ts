/** The CLI's own error vocabulary. */

/** A mistake in the command line: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** `ENOENT` and friends, for one-line messages; the error's message when it has no code. */
export function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}
