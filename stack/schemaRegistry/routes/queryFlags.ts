/** Boolean query flags as clients send them: `true`, `false`, and Python's `True` / `False`. */
export function flag(query: unknown, name: string): boolean {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** A string query parameter, if present. */
export function text(query: unknown, name: string): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
