/**
 * The demo's sample scenes: three sites seen on several passes within one hour, so that the pipeline has evidence to
 * window into alerts. Repeated passes over a site share the terrain (same seed) but differ in their bytes (JPEG
 * quality), as real passes do, so content-hash dedupe does not fold them into one image.
 */
export interface DemoScene {
  name: string;
  seed: number;
  hazardFree: boolean;
  quality: number;
  capturedAt: number;
  site: DemoSite;
}

export interface DemoSite {
  name: string;
  lat: number;
  lon: number;
  seed: number;
  hazardFree: boolean;
  passes: number;
}

export const DEMO_SIZE = 1024;
export const DEMO_GSD_M = 10;

export const demoSites: DemoSite[] = [
  { name: 'adige-valley', lat: 46.498, lon: 11.354, seed: 1101, hazardFree: false, passes: 5 },
  { name: 'val-di-fiemme', lat: 46.3, lon: 11.46, seed: 2202, hazardFree: false, passes: 3 },
  { name: 'dolomites-north', lat: 46.62, lon: 11.9, seed: 3303, hazardFree: true, passes: 2 },
];

/** Passes over every site, spread over the half hour before `at` (event time of the windows). */
export function demoScenes(at: number, sites: DemoSite[] = demoSites): DemoScene[] {
  const all = sites.flatMap((site) =>
    Array.from({ length: site.passes }, (_, pass) => ({ site, pass })),
  );
  return all.map(({ site, pass }, i) => ({
    name: `${site.name}-pass${pass + 1}`,
    seed: site.seed,
    hazardFree: site.hazardFree,
    quality: 82 + pass * 2,
    capturedAt: at - 30 * 60_000 + Math.round((i * 30 * 60_000) / all.length),
    site,
  }));
}

/** North-up bounds of a square scene of `size` pixels at `gsdM` metres per pixel centred on the site. */
export function sceneBounds(site: Pick<DemoSite, 'lat' | 'lon'>, size = DEMO_SIZE, gsdM = DEMO_GSD_M) {
  const halfKm = (size * gsdM) / 2000;
  const dLat = halfKm / 111.32;
  const dLon = halfKm / (111.32 * Math.cos((site.lat * Math.PI) / 180));
  return { north: site.lat + dLat, south: site.lat - dLat, east: site.lon + dLon, west: site.lon - dLon };
}
