import type { ModelDetection } from './detection.ts';
import type { ModelOutput } from './loadModel.ts';

export interface DecodeOptions {
  confidenceThreshold: number;
  classCount: number;
  /** Rows of mask coefficients after the class scores (32 in an Ultralytics segment export); default 0. */
  maskCoefficients?: number;
}

/**
 * Decodes an Ultralytics YOLOv8/YOLO11 detect output `[n, 4 + classes, anchors]` (rows cx, cy, w, h in input
 * pixels, then one already-sigmoided score per class) into boxes per image: each anchor keeps its best class,
 * as Ultralytics' own NMS does without multi-label, if that score is above the threshold (strictly, as there).
 *
 * @example decodeYolo(await model.run(batch, n), { confidenceThreshold: 0.25, classCount: 4 })[0]
 */
export function decodeYolo(output: ModelOutput, options: DecodeOptions): ModelDetection[][] {
  const [n, rows, anchors] = output.dims;
  const coefficients = options.maskCoefficients ?? 0;
  if (rows !== 4 + options.classCount + coefficients) {
    throw new RangeError(`output has ${rows} rows per anchor, expected 4 + ${options.classCount} classes${coefficients ? ` + ${coefficients} mask coefficients` : ''}`);
  }
  if (output.data.length !== n * rows * anchors) {
    throw new RangeError(`output holds ${output.data.length} values, dims say ${n}×${rows}×${anchors}`);
  }
  const d = output.data;
  const images: ModelDetection[][] = [];
  for (let img = 0; img < n; img++) {
    const base = img * rows * anchors;
    const found: ModelDetection[] = [];
    for (let a = 0; a < anchors; a++) {
      let best = -1;
      let score = -Infinity;
      for (let c = 0; c < options.classCount; c++) {
        const s = d[base + (4 + c) * anchors + a] as number;
        if (s > score) {
          score = s;
          best = c;
        }
      }
      // `!(a > b)` also rejects NaN scores from a broken model.
      if (!(score > options.confidenceThreshold)) continue;
      const cx = d[base + a] as number;
      const cy = d[base + anchors + a] as number;
      const w = d[base + 2 * anchors + a] as number;
      const h = d[base + 3 * anchors + a] as number;
      if (!(w > 0 && h > 0 && Number.isFinite(cx) && Number.isFinite(cy))) continue;
      found.push({ classId: best, score, x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2, ...(coefficients ? { anchor: a } : {}) });
    }
    images.push(found);
  }
  return images;
}
