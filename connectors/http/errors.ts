/**
 * Bad requests as values: every rejection the connector makes is an HttpError with a 4xx status, a stable
 * `code` a client can branch on and a message a person can act on.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
