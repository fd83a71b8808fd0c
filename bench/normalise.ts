/**
 * Tile normalisation benchmark: one 640² tile of a 1024² scene into the batch tensor, cut and normalised in one
 * pass (rgbTileSource.writeTensor, what the infer stage does for JPEG/PNG scenes) ÷ the two-pass way (cutTile
 * into an RGB tile, then writeInputTensor; what a GeoTIFF source still takes). A whole tile and a padded edge
 * tile; median of ROUNDS rounds (default 5), load average beside it.
 *
 *   npm run bench -- normalise [rounds=5]
 */
import { writeInputTensor } from '../model/inputTensor.ts';
import type { ModelManifest } from '../model/manifest.ts';
import { cutTile, rgbTileSource } from '../topologies/analyze/cutTile.ts';
import type { TileRect } from '../topologies/analyze/tileGrid.ts';
import { loadAverage, median } from './stats.ts';

const rounds = Number(process.argv[2] ?? 5);
const input: ModelManifest['input'] = { width: 640, height: 640, layout: 'NCHW', color: 'RGB', dtype: 'float32', scale: 1 / 255, bands: ['red', 'green', 'blue'] };
const scene = { width: 1024, height: 1024, rgb: Uint8Array.from({ length: 1024 * 1024 * 3 }, (_, i) => (i * 7) % 256) };
const source = rgbTileSource(scene);
const tensor = new Float32Array(2 * 640 * 640 * 3);
const tile = new Uint8Array(640 * 640 * 3);
const msPerTile = (work: () => void, times = 20) => {
  const started = performance.now();
  for (let i = 0; i < times; i++) work();
  return (performance.now() - started) / times;
};

console.log(`load_average_start=${loadAverage()}`);
for (const [label, rect] of [['whole', { x: 384, y: 384, width: 640, height: 640 }], ['edge', { x: 700, y: 600, width: 324, height: 424 }]] as Array<[string, TileRect]>) {
  const twoPass = () => {
    cutTile(scene, rect, 640, 640, tile);
    writeInputTensor(tensor, 1, tile, input);
  };
  const onePass = () => source.writeTensor?.(rect, input, tensor, 1);
  twoPass();
  onePass();
  const two: number[] = [];
  const one: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    two.push(msPerTile(twoPass));
    one.push(msPerTile(onePass));
    ratios.push((two[r] as number) / (one[r] as number));
  }
  console.log(`two_pass_ms_per_${label}_tile=${median(two).toFixed(2)}`);
  console.log(`one_pass_ms_per_${label}_tile=${median(one).toFixed(2)}`);
  console.log(`one_pass_speedup_${label}_tile=${median(ratios).toFixed(2)}`);
}
console.log(`load_average_end=${loadAverage()}`);
