/**
 * A small client of the HTTP connector's API, as an agency's script would write it (fetch + FormData): the demo and
 * the end-to-end benchmark use it.
 */
import type { SceneFields } from '../connectors/http/sceneFields.ts';
import { PipelineError } from '../pipeline/errors.ts';

/** The form fields of an upload: the connector's scene fields, with `captured_at` as ISO 8601 text (band_names go comma-separated). */
export type UploadFields = Omit<SceneFields, 'captured_at'> & { captured_at?: string };

export interface UploadAnswer {
  image_id: string;
  status: string;
  cache_key?: string;
}

export class ConnectorError extends PipelineError {
  constructor(readonly status: number, message: string) {
    super(message, { code: `HTTP_${status}`, retriable: status === 429 || status >= 500 });
  }
}

export interface ConnectorClient {
  upload(file: Buffer, filename: string, contentType: string, fields: UploadFields): Promise<UploadAnswer>;
  result(imageId: string): Promise<Record<string, unknown> & { status: string }>;
  activeAlerts(format?: 'json' | 'geojson'): Promise<unknown>;
  overlay(imageId: string): Promise<Buffer>;
}

export function connectorClient(baseUrl: string, apiKey: string): ConnectorClient {
  const headers = { 'X-API-Key': apiKey };
  async function call(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${baseUrl}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });
    if (!res.ok) {
      const body = await res.text();
      let message = body;
      try {
        message = (JSON.parse(body) as { message?: string }).message ?? body;
      } catch {
        // not JSON: keep the text
      }
      throw new ConnectorError(res.status, `${init.method ?? 'GET'} ${path}: HTTP ${res.status} ${message}`);
    }
    return res;
  }
  return {
    async upload(file, filename, contentType, fields) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) form.append(name, String(value));
      form.append('file', new Blob([file.buffer.slice(file.byteOffset, file.byteOffset + file.length) as ArrayBuffer], { type: contentType }), filename);
      return (await (await call('/api/v1/analyze/single', { method: 'POST', body: form })).json()) as UploadAnswer;
    },
    async result(imageId) {
      try {
        return (await (await call(`/api/v1/results/${encodeURIComponent(imageId)}`)).json()) as Record<string, unknown> & { status: string };
      } catch (err) {
        // Not yet known to the read side: the sink has not written it and the connector's record expired or is elsewhere.
        if (err instanceof ConnectorError && err.status === 404) return { status: 'unknown' };
        throw err;
      }
    },
    async activeAlerts(format = 'json') {
      return (await call(`/api/v1/alerts/active?format=${format}`)).json();
    },
    async overlay(imageId) {
      return Buffer.from(await (await call(`/api/v1/results/${encodeURIComponent(imageId)}/overlay.png`)).arrayBuffer());
    },
  };
}
