/**
 * Tile preparation benchmark: what the analyze role does to each 640² tile of a 1024² scene before the model runs,
 * timed per step in CPU time: the cut into an RGB tile (cutTile, on the main thread) and its normalisation into the
 * batch tensor (writeInputTensor, on the inference thread: LoadedModel.runTiles). A whole tile and a padded edge
 * tile; `cut_vs_normalise` is the main thread's part against the inference thread's. Median of ROUNDS rounds (default
 * 5), load average beside it.
 *
 *   npm run bench -- normalise [rounds=5]
 */
import { writeInputTensor } from '../model/inputTensor.ts';
import type { ModelManifest } from '../model/manifest.ts';
import { cutTile } from '../topologies/analyze/cutTile.ts';
import type { TileRect } from '../topologies/analyze/tileGrid.ts';
import { loadAverage, median } from './stats.ts';

const rounds = Number(process.argv[2] ?? 5);
const input: ModelManifest['input'] = { width: 640, height: 640, layout: 'NCHW', color: 'RGB', dtype: 'float32', scale: 1 / 255, bands: ['red', 'green', 'blue'] };
const scene = { width: 1024, height: 1024, rgb: Uint8Array.from({ length: 1024 * 1024 * 3 }, (_, i) => (i * 7) % 256) };
const tensor = new Float32Array(2 * 640 * 640 * 3);
const tile = new Uint8Array(640 * 640 * 3);
// CPU time, not wall: on the shared machine a preempted round would otherwise count the other processes' time.
const msPerTile = (work: () => void, times = 20) => {
  const started = process.cpuUsage();
  for (let i = 0; i < times; i++) work();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1000 / times;
};

console.log(`load_average_start=${loadAverage()}`);
for (const [label, rect] of [['whole', { x: 384, y: 384, width: 640, height: 640 }], ['edge', { x: 700, y: 600, width: 324, height: 424 }]] as Array<[string, TileRect]>) {
  const cut = () => cutTile(scene, rect, 640, 640, tile);
  const normalise = () => writeInputTensor(tensor, 1, tile, input);
  cut();
  normalise();
  const cuts: number[] = [];
  const normalised: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    cuts.push(msPerTile(cut));
    normalised.push(msPerTile(normalise));
    ratios.push((cuts[r] as number) / (normalised[r] as number));
  }
  console.log(`cut_ms_per_${label}_tile=${median(cuts).toFixed(2)}`);
  console.log(`normalise_ms_per_${label}_tile=${median(normalised).toFixed(2)}`);
  console.log(`cut_vs_normalise_${label}_tile=${median(ratios).toFixed(2)}`);
}
console.log(`load_average_end=${loadAverage()}`);
