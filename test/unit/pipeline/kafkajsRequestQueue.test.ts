import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

// patches/kafkajs+2.2.4.patch, applied by npm's postinstall: without it every idle kafkajs connection runs a timer
// about once a millisecond (kafkajs #1556), the largest part of each role's CPU with nothing to do.
const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as new (options: object) => {
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  maybeThrottle(ms: number): void;
  push(request: object): void;
  checkPendingRequests(): void;
  destroy(): void;
};

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const queueOf = () => new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'localhost:9092', logger: quiet });

test('a kafkajs connection with nothing pending schedules no check (the patch of kafkajs #1556 is applied)', () => {
  const queue = queueOf();
  queue.checkPendingRequests();
  assert.equal(queue.throttleCheckTimeoutId, null, 'an idle request queue keeps a timer going: run `npm install` so that patch-package applies patches/');
  queue.destroy();
});

test('a request held back by client-side throttling is still sent once the throttle ends', async () => {
  const queue = queueOf();
  let sent = false;
  queue.maybeThrottle(30);
  queue.push({ entry: { correlationId: 1 }, expectResponse: true, sendRequest: () => void (sent = true) });
  assert.equal(sent, false, 'sent while throttled');
  assert.notEqual(queue.throttleCheckTimeoutId, null, 'no check scheduled for the pending request');
  const until = Date.now() + 5_000;
  while (!sent && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(sent, true);
  assert.equal(queue.pending.length, 0);
  assert.equal(queue.throttleCheckTimeoutId, null, 'a timer is left running after the queue emptied');
  queue.destroy();
});
