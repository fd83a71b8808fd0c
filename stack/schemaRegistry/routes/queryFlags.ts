/** Query parameters as Confluent's clients send them. */

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

/** `offset` / `limit` paging of a list (limit -1 or absent: everything), as the Python client always sends. */
export function page<T>(items: T[], query: unknown): T[] {
  const offset = Math.max(0, Number(text(query, 'offset') ?? 0) || 0);
  const limit = Number(text(query, 'limit') ?? -1);
  return Number.isInteger(limit) && limit >= 0 ? items.slice(offset, offset + limit) : items.slice(offset);
}
