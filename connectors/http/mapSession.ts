/**
 * Sessions of the operator's map: a browser gives its API key once (`POST /api/v1/map/session` with the key in a
 * header, checked by the auth plugin like any request) and gets an HttpOnly cookie naming a random session token.
 *
 * Why a cookie session rather than a short-lived token in the URL: EventSource cannot set headers, and neither can
 * an <img> of an overlay or a link to a CAP message; a cookie reaches all three with no key or token in a URL (URLs
 * end up in proxy and access logs and in the browser history), and HttpOnly keeps it from the page's scripts, so the
 * key is never stored in the browser at all. SameSite=Strict keeps other sites from riding on it, and the auth plugin
 * honours a session for reads (GET/HEAD) only: a write still needs the key itself.
 *
 * Redis holds `mapsession:{sha256(token)}` → the key's id and hash (never the key), with the session's lifetime;
 * every request looks the key up again by its hash, so a revoked key ends its sessions at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { mapSessionKey } from '../../adapters/redis/keys.ts';

export const MAP_SESSION_COOKIE = 'hf_map_session';

interface StoredSession {
  key_id: string;
  key_hash: string;
}

const sessionKey = (token: string) => mapSessionKey(createHash('sha256').update(token).digest('hex'));
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface MapSessions {
  /** A new session for a key; answers its token. */
  create(keyId: string, keyHash: string): Promise<string>;
  /** The key hash of a live session, or undefined. */
  keyHashOf(token: string): Promise<string | undefined>;
  end(token: string): Promise<void>;
  readonly seconds: number;
}

export function createMapSessions(redis: Redis, seconds: number): MapSessions {
  return {
    seconds,
    async create(keyId, keyHash) {
      const token = randomBytes(32).toString('base64url');
      await redis.set(sessionKey(token), JSON.stringify({ key_id: keyId, key_hash: keyHash } satisfies StoredSession), 'EX', seconds);
      return token;
    },
    async keyHashOf(token) {
      if (!TOKEN_PATTERN.test(token)) return undefined;
      const raw = await redis.get(sessionKey(token));
      return raw === null ? undefined : (JSON.parse(raw) as StoredSession).key_hash;
    },
    async end(token) {
      if (TOKEN_PATTERN.test(token)) await redis.del(sessionKey(token));
    },
  };
}
