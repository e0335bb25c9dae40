/**
 * Waits for a clean-up step at most `ms`: unsubscribing from a state store that is down (or
 * already closed) may never answer, and shutdown must not hang on it.
 */
export async function settleWithin(step: (() => Promise<unknown>) | undefined, ms: number): Promise<void> {
  if (!step) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    step().catch(() => {}),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms).unref())),
  ]).finally(() => clearTimeout(timer));
}
