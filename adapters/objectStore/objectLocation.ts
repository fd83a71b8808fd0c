/**
 * The SSRF gate of the fetch stage: an ImageRef's uri is resolved to a bucket and key of the one configured object
 * store, or rejected before any connection is made. The uri is only ever parsed, never dereferenced, so a
 * reference to another host (http://169.254.169.254/…), scheme (file:, ftp:) or bucket cannot make us fetch it.
 */
import { PermanentError, PermanentCode } from '../../pipeline/errors.ts';

export interface ObjectAllowList {
  /** Buckets of the configured store that may be read. */
  buckets: readonly string[];
  /** host:port of the configured store: http(s) path-style uris naming it are accepted too. */
  endpoint: string;
}

export interface ObjectLocation {
  bucket: string;
  key: string;
}

function notAllowed(uri: string, why: string): PermanentError {
  return new PermanentError(PermanentCode.OBJECT_NOT_ALLOWED, `${why}: ${uri.slice(0, 200)}`);
}

/**
 * Resolves `s3://bucket/key` (or `http(s)://<configured endpoint>/bucket/key`) to a location in an allowed
 * bucket; throws OBJECT_NOT_ALLOWED for anything else.
 *
 * @example resolveObjectLocation('s3://hazardflow-images/a.jpg', allow) // { bucket: 'hazardflow-images', key: 'a.jpg' }
 */
export function resolveObjectLocation(uri: string, allow: ObjectAllowList): ObjectLocation {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw notAllowed(uri, 'not a uri');
  }
  // The raw path, not url.pathname: URL resolves "a/%2e%2e/b" to "/b", and the key must be what the sender wrote.
  let path = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)/i.exec(uri)?.[1] ?? '';
  let bucket: string;
  if (url.protocol === 's3:') {
    bucket = url.hostname;
  } else if (url.protocol === 'http:' || url.protocol === 'https:') {
    const defaultPort = url.protocol === 'https:' ? '443' : '80';
    if (`${url.hostname}:${url.port || defaultPort}` !== allow.endpoint) throw notAllowed(uri, 'host is not the configured object store');
    const slash = path.indexOf('/', 1);
    if (slash < 0) throw notAllowed(uri, 'no object key');
    bucket = path.slice(1, slash);
    path = path.slice(slash);
  } else {
    throw notAllowed(uri, `scheme ${url.protocol} is not allowed`);
  }
  if (url.username || url.password || url.search || url.hash) throw notAllowed(uri, 'credentials, query or fragment in an object uri');
  if (!allow.buckets.includes(bucket)) throw notAllowed(uri, `bucket "${bucket}" is not allowed`);
  let key: string;
  try {
    key = decodeURIComponent(path.slice(1));
  } catch {
    throw notAllowed(uri, 'malformed key');
  }
  // S3 keys are flat, but a ".." segment would be normalised by some gateways into another bucket's path.
  if (key === '' || key.split('/').some((s) => s === '..' || s === '.')) throw notAllowed(uri, 'invalid object key');
  return { bucket, key };
}
