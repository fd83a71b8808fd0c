/**
 * Progress of long CLI work: a live bar on a terminal (cli-progress), and on a pipe or in CI a plain line at every
 * tenth of the way, so that logs stay readable.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  update(value: number, detail?: string): void;
  increment(): void;
  stop(): void;
}

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stdout): Progress {
  let value = 0;
  if (stream.isTTY) {
    const bar = new SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} {detail}`, hideCursor: true, stream },
      Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return {
      update(v, detail = '') {
        value = v;
        bar.update(v, { detail });
      },
      increment() {
        value += 1;
        bar.update(value);
      },
      stop: () => bar.stop(),
    };
  }
  let reported = -1;
  const report = (detail = '') => {
    const tenth = total === 0 ? 10 : Math.floor((value * 10) / total);
    if (tenth === reported) return;
    reported = tenth;
    stream.write(`${label} ${value}/${total}${detail ? ` ${detail}` : ''}\n`);
  };
  report();
  return {
    update(v, detail) {
      value = v;
      report(detail);
    },
    increment() {
      value += 1;
      report();
    },
    stop() {},
  };
}
