/**
 * Waits until `f` holds (polled every `pollMs`), or fails naming `what` after `timeoutMs`: the
 * tests wait on conditions, never on fixed sleeps.
 */
export async function until(what: string, f: () => boolean, timeoutMs = 10_000, pollMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
