/**
 * The fault suite's input: many distinct images made cheaply from a few generated sites. Each image is one site's
 * terrain encoded at its own JPEG quality (distinct bytes and sha256, same content, like repeated passes), with
 * event times inside one allowed-lateness span so that no arrival order a fault can cause makes a record late.
 */
import { encodeScene, generateScene } from '../../demo/scenes/generateScene.ts';
import { sceneBounds } from '../../demo/demoScenes.ts';

export interface FaultImage {
  imageId: string;
  key: string;
  bytes: Buffer;
  capturedAt: number;
  site: { lat: number; lon: number };
}

const SIZE = 640;
const GSD_M = 10;
const HOUR = 3_600_000;
/**
 * Two hours ago, on the hour (one value for both runs of a test process): alerts expire by the wall clock
 * (captured_at + 24 h), so scenes from the past would have their alerts CANCELed by punctuation mid-run, and the
 * evidence that faults delay would then be late.
 */
export const FAULT_T0 = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;

export async function faultImages(count: number, sites = 20): Promise<FaultImage[]> {
  const scenes = Array.from({ length: sites }, (_, s) => ({
    // Every fifth site is hazard-free: lakes and rivers only.
    scene: generateScene({ width: SIZE, seed: 7000 + s, hazardFree: s % 5 === 4 }),
    site: { lat: 45 + 0.1 * s, lon: 7 + 0.13 * s },
  }));
  const out: FaultImage[] = [];
  for (let i = 0; i < count; i++) {
    const { scene, site } = scenes[i % sites]!;
    const pass = Math.floor(i / sites);
    const bytes = await encodeScene(scene, 'jpeg', { quality: 60 + (pass % 40) });
    out.push({
      imageId: `fault-image-${String(i).padStart(4, '0')}`,
      key: `faults/${String(i).padStart(4, '0')}.jpg`,
      bytes,
      // 400 ms apart: 500 images span 200 s of event time, inside the 5-minute allowed lateness.
      capturedAt: FAULT_T0 + i * 400,
      site,
    });
  }
  return out;
}

export const faultBounds = (site: { lat: number; lon: number }) => sceneBounds(site, SIZE, GSD_M);
export const FAULT_GSD_M = GSD_M;
