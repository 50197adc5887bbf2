/** Replaces every occurrence of a secret (4 characters or more) with `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4)
      out = out.split(secret).join('[redacted]');
  }
  return out;
}
