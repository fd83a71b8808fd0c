/**
 * The sink topology as a process of its own, so that a test can SIGKILL it: options come as JSON in SINK_OPTIONS;
 * prints "sink running" once it consumes, stops cleanly on SIGTERM.
 */
import { startSink } from '../../../topologies/sink/main.ts';
import type { SinkOptions } from '../../../topologies/sink/options.ts';

const options = JSON.parse(process.env.SINK_OPTIONS ?? '') as SinkOptions;
const sink = await startSink(options);
process.stdout.write('sink running\n');
process.once('SIGTERM', () => void sink.stop());
await sink.done;
