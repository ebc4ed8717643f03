/** True when the registry's Confluent-compatible API answers a subjects listing. */
export async function registryAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
    await r.body?.cancel();
    return r.ok;
  } catch {
    return false;
  }
}
