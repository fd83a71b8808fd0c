/**
 * mulberry32 (public domain, by Tommy Ettinger): a small, fast generator of uniform numbers in [0, 1) from a
 * 32-bit seed, for whatever must be reproducible by seed (scenes, fault schedules); Math.random cannot be seeded.
 *
 * @example const rand = seededRandom(42); rand(); // always the same first value for seed 42
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
