/** Reading a multipart upload: the checks every upload route makes before and while it reads the parts. */
import type { Multipart } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { badRequest, HttpError } from '../../errors.ts';

/** Room for multipart boundaries and form fields on top of the files themselves. */
export const MULTIPART_OVERHEAD = 1024 * 1024;

export function requireMultipart(request: FastifyRequest): void {
  if (!request.isMultipart()) {
    const type = request.headers['content-type'] ?? 'none';
    throw new HttpError(415, 'NOT_MULTIPART', `send the image as multipart/form-data (Content-Type was ${type})`);
  }
}

/** Busboy's own complaints (bad boundary, cut-off body, …) are the client's malformed body, not our failure. */
export async function* partsOf(request: FastifyRequest): AsyncGenerator<Multipart> {
  const parts = request.parts();
  for (;;) {
    let next: IteratorResult<Multipart>;
    try {
      next = await parts.next();
    } catch (err) {
      if (err instanceof HttpError) throw err;
      const status = (err as { statusCode?: number }).statusCode;
      if (status && status >= 400 && status < 500) throw new HttpError(status === 406 ? 415 : status, (err as { code?: string }).code ?? 'MALFORMED_MULTIPART', (err as Error).message);
      throw badRequest('MALFORMED_MULTIPART', `the multipart body is malformed: ${(err as Error).message}`);
    }
    if (next.done) return;
    yield next.value;
  }
}

/** Refuses a body whose declared length is over `limit` before a byte of it is read. */
export function checkContentLength(request: FastifyRequest, limit: number): void {
  const length = Number(request.headers['content-length'] ?? 0);
  if (length > limit) throw new HttpError(413, 'REQUEST_TOO_LARGE', `the request is ${length} bytes, above the limit of ${limit} bytes`);
}
