/**
 * Wait until `check` holds, checking every `everyMs`; fail after
 * `timeoutMs`, naming `what` was awaited.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'a condition',
  everyMs = 20
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
}
