/**
 * Deterministic alert ids: a UUIDv5 (RFC 9562, SHA-1 name-based) of cell, hazard and the start of the alert's first
 * window, so a replay or a second process derives the very same id without coordination.
 */
import { createHash } from 'node:crypto';

/** Namespace of hazardflow alert ids (a fixed random UUID; changing it would change every id). */
const ALERT_NAMESPACE = Buffer.from('6f1c2a0e9b7d4f5a8e3c1d2b4a6f8e0c', 'hex');

export function alertIdFor(cell: string, hazard: string, firstWindowStart: number): string {
  const hash = createHash('sha1').update(ALERT_NAMESPACE).update(`${cell}|${hazard}|${firstWindowStart}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
