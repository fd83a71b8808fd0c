/**
 * A transaction's writes to a state changelog, each key's last one only. Why that is the same state: a changelog is
 * read only to restore (`restoreChangelog`), in offset order, a key's later record replacing its earlier ones, and a
 * read_committed reader sees a transaction whole or not at all; so the values a key takes inside one transaction
 * before its last are never seen by anyone. The alerts windows stage rewrites a partition's `~meta` (and a cell's
 * state, and holds then releases evidence) once per record: about nine changelog records per image, most of them
 * overwritten in the same transaction.
 */
import type { Message } from 'kafkajs';

/** The bytes of a key, the way the broker compares them (a string goes out as UTF-8). */
const keyBytes = (key: Buffer | string): string => (typeof key === 'string' ? Buffer.from(key, 'utf8') : key).toString('latin1');

/**
 * One partition's messages with only the last of each key kept, in the order of those last ones (records without a
 * key are all kept in place: nothing says they replace each other).
 *
 * @example lastPerKey([{key:'a',value:'1'},{key:'b',value:'2'},{key:'a',value:null}]) // [{key:'b',value:'2'},{key:'a',value:null}]
 */
export function lastPerKey<M extends Pick<Message, 'key'>>(messages: readonly M[]): M[] {
  const keys = messages.map((m) => (m.key === null || m.key === undefined ? undefined : keyBytes(m.key)));
  const lastIndex = new Map<string, number>();
  keys.forEach((key, i) => {
    if (key !== undefined) lastIndex.set(key, i);
  });
  if (lastIndex.size === messages.length) return [...messages];
  return messages.filter((_, i) => {
    const key = keys[i];
    return key === undefined || lastIndex.get(key) === i;
  });
}
