/**
 * Bad requests as values: every rejection the connector makes is an HttpError with a 4xx status, a stable
 * `code` a client can branch on and a message a person can act on.
 */
import { PipelineError } from '../../pipeline/errors.ts';

export class HttpError extends PipelineError {
  readonly statusCode: number;

  constructor(statusCode: number, code: string, message: string) {
    // 429 and 5xx may pass if the client tries again later; any other 4xx is the request's own fault.
    super(message, { code, retriable: statusCode === 429 || statusCode >= 500 });
    this.statusCode = statusCode;
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
