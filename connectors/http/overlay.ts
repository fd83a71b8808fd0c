/**
 * A result's detections drawn on its image: boxes and labels as SVG composited by sharp onto a copy scaled to at
 * most OVERLAY_MAX_SIDE pixels, so a huge scene still gives a viewable PNG.
 */
import sharp from 'sharp';
import { bytesSource, openGeoTiff } from '../../eo/geotiffScene.ts';
import { lonLatToPixel, type Georeferencing } from '../../eo/georeference.ts';
import { previewTrueColour } from '../../eo/trueColour.ts';
import { PermanentError } from '../../pipeline/errors.ts';
import { HttpError } from './errors.ts';
import { sniffImageType } from './imageFormat.ts';
import type { Detection, Extent } from './resultStore.ts';

export const OVERLAY_MAX_SIDE = 2048;

const CLASS_COLOURS: Record<string, string> = { landslide: '#ff3b30', flood: '#0a84ff', water_body: '#64d2ff', water: '#64d2ff', vegetation_loss: '#ffd60a' };

const escape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The SVG layer for an image of `width`×`height` showing `detections` (bboxes in scene pixels) at `scale`. */
export function detectionsSvg(detections: Detection[], width: number, height: number, scale: number): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
  const font = Math.max(12, Math.round(Math.min(width, height) / 50));
  const shapes = detections.map((d) => {
    const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] = d.bbox.map((v) => v * scale);
    const colour = CLASS_COLOURS[d.class] ?? '#ffffff';
    const label = `${escape(d.class)} ${(d.confidence * 100).toFixed(0)}%`;
    const labelY = y1 > font + 4 ? y1 - 4 : y1 + font + 2;
    return `<rect x="${x1}" y="${y1}" width="${Math.max(0, x2 - x1)}" height="${Math.max(0, y2 - y1)}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      `<text x="${x1 + 2}" y="${labelY}" font-family="sans-serif" font-size="${font}" fill="${colour}" stroke="#000" stroke-width="0.6">${label}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

/**
 * The SVG layer of `extents` (WGS84) on a georeferenced picture: every ring mapped back to scene pixels through the
 * file's transform and CRS, at `scale`, filled translucent in its class colour (holes cut by the even-odd rule).
 */
export function extentsSvg(extents: readonly Extent[], georef: Georeferencing, width: number, height: number, scale: number): string {
  const stroke = Math.max(1, Math.round(Math.min(width, height) / 600));
  const paths = extents.map((e) => {
    const colour = CLASS_COLOURS[e.class] ?? '#ffffff';
    const d = e.polygons.flatMap((polygon) => polygon.map((ring) => 'M' + ring.map(([lon, lat]) => {
      const [x, y] = lonLatToPixel(georef, lon as number, lat as number);
      return `${(x * scale).toFixed(1)},${(y * scale).toFixed(1)}`;
    }).join('L') + 'Z')).join('');
    // Where the operator's reference water layer has data is context, not a finding: outlined, not filled.
    const fill = e.class === 'reference_coverage' ? 'fill="none"' : `fill="${colour}" fill-opacity="0.35" fill-rule="evenodd"`;
    return `<path d="${d}" ${fill} stroke="${colour}" stroke-width="${stroke}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${paths.join('')}</svg>`;
}

/**
 * A TIFF's picture as the model saw it: the true-colour composite of a multispectral scene (eo/trueColour's
 * stretch), read strip by strip, scaled to OVERLAY_MAX_SIDE; its bands recognised as the analyze stage did.
 */
async function tiffPicture(image: Buffer, maxPixels: number, capturedAt: number): Promise<{ base: ReturnType<typeof sharp>; w: number; h: number; scale: number; georef: Georeferencing | null }> {
  try {
    const scene = await openGeoTiff(bytesSource(image), { maxPixels, capturedAt, sensorProfile: null, bandNames: null });
    const { rgb, width, height, scale } = await previewTrueColour(scene, OVERLAY_MAX_SIDE);
    return { base: sharp(rgb, { raw: { width, height, channels: 3 } }), w: width, h: height, scale, georef: scene.georef };
  } catch (err) {
    if (err instanceof PermanentError) throw new HttpError(422, err.code, `the stored TIFF cannot be drawn: ${err.message}`);
    throw err;
  }
}

/** The PNG overlay of `image` (encoded bytes) with `detections`, and with `extents` on a georeferenced TIFF. */
export async function renderOverlay(image: Buffer, detections: Detection[], maxPixels: number, capturedAt = Date.now(), extents: readonly Extent[] = []): Promise<Buffer> {
  if (sniffImageType(image) === 'image/tiff') {
    const { base, w, h, scale, georef } = await tiffPicture(image, maxPixels, capturedAt);
    const layers = georef && extents.length > 0 ? [{ input: Buffer.from(extentsSvg(extents, georef, w, h, scale)), top: 0, left: 0 }] : [];
    return base.composite([...layers, { input: Buffer.from(detectionsSvg(detections, w, h, scale)), top: 0, left: 0 }]).png().toBuffer();
  }
  // No EXIF auto-rotation: the boxes are in the pixel grid the analyze stage decoded, which is not rotated either.
  const base = sharp(image, { limitInputPixels: maxPixels });
  const meta = await base.metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  const scale = Math.min(1, OVERLAY_MAX_SIDE / Math.max(width, height, 1));
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  const resized = await base.resize(w, h, { fit: 'fill' }).toBuffer();
  return sharp(resized)
    .composite([{ input: Buffer.from(detectionsSvg(detections, w, h, scale)), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
