/**
 * Checks the client's filename of an upload. It is kept only as a label (objects are stored under the image id),
 * but a name with path parts is refused outright: it is either a mistake or a probe, and it would be echoed back.
 */
import { badRequest } from './errors.ts';

export function checkUploadName(filename: string | undefined): string {
  const name = filename ?? '';
  if (name === '') throw badRequest('FILENAME_MISSING', 'the file part has no filename');
  if (name.length > 255) throw badRequest('FILENAME_TOO_LONG', 'the filename is longer than 255 characters');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badRequest('FILENAME_INVALID', 'the filename contains control characters');
  if (name.includes('/') || name.includes('\\') || name === '.' || name === '..' || name.includes('..')) {
    throw badRequest('FILENAME_PATH_TRAVERSAL', `the filename ${JSON.stringify(name.slice(0, 80))} contains a path (/, \\ or ..); send a bare file name`);
  }
  return name;
}
