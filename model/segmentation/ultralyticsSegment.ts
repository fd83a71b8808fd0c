/**
 * An Ultralytics YOLOv8/YOLO11 segment export, read as Ultralytics' own `process_mask` does: output0
 * [n, 4 + classes + k, anchors] (boxes, class scores, k mask coefficients), output1 [n, k, mh, mw] (mask
 * prototypes at 1/4 of the input). Each box kept after the confidence filter and class-wise NMS gets the mask
 * sigmoid(coefficients · prototypes), cropped to its box; each class's channel is the highest such mask probability
 * at each pixel. The channels then merge across tiles and become extents like any segmentation output.
 */
import { decodeYolo } from '../yoloDecode.ts';
import { nonMaxSuppression } from '../nms.ts';

export interface SegmentExport {
  /** output0: [n, 4 + classes + k, anchors]. */
  boxes: { data: Float32Array; dims: [number, number, number] };
  /** output1: [n, k, mh, mw]. */
  prototypes: { data: Float32Array; dims: [number, number, number, number] };
}

export interface SegmentDecodeOptions {
  classCount: number;
  confidenceThreshold: number;
  iouThreshold: number;
  inputWidth: number;
  inputHeight: number;
}

/**
 * One [classes, inputHeight, inputWidth] probability map per image of the batch.
 *
 * @example const [tile] = decodeSegmentExport({ boxes, prototypes }, { classCount: 1, confidenceThreshold: 0.25, iouThreshold: 0.45, inputWidth: 640, inputHeight: 640 })
 */
export function decodeSegmentExport(output: SegmentExport, options: SegmentDecodeOptions): Float32Array[] {
  const [n, k, mh, mw] = output.prototypes.dims;
  const anchors = output.boxes.dims[2];
  const rows = output.boxes.dims[1];
  const { inputWidth: W, inputHeight: H, classCount } = options;
  const perImage = decodeYolo(output.boxes, { confidenceThreshold: options.confidenceThreshold, classCount, maskCoefficients: k });
  const protoPlane = mh * mw;
  return perImage.slice(0, n).map((found, img) => {
    const maps = new Float32Array(classCount * H * W);
    const kept = nonMaxSuppression(found, { iouThreshold: options.iouThreshold });
    const boxBase = img * rows * anchors;
    const protoBase = img * k * protoPlane;
    const logits = new Float32Array(protoPlane);
    for (const det of kept) {
      const anchor = det.anchor as number;
      logits.fill(0);
      for (let c = 0; c < k; c++) {
        const coefficient = output.boxes.data[boxBase + (4 + classCount + c) * anchors + anchor] as number;
        const base = protoBase + c * protoPlane;
        for (let p = 0; p < protoPlane; p++) logits[p] = (logits[p] as number) + coefficient * (output.prototypes.data[base + p] as number);
      }
      // Crop to the box in input pixels; inside it, bilinear upsampling of the prototype logits (Ultralytics
      // upsamples the mask bilinearly before thresholding at 0.5).
      const x0 = Math.max(0, Math.floor(det.x1));
      const x1 = Math.min(W, Math.ceil(det.x2));
      const y0 = Math.max(0, Math.floor(det.y1));
      const y1 = Math.min(H, Math.ceil(det.y2));
      const plane = det.classId * H * W;
      for (let y = y0; y < y1; y++) {
        const py = Math.min(Math.max(((y + 0.5) * mh) / H - 0.5, 0), mh - 1);
        const r0 = Math.floor(py);
        const r1 = Math.min(r0 + 1, mh - 1);
        const fy = py - r0;
        for (let x = x0; x < x1; x++) {
          const px = Math.min(Math.max(((x + 0.5) * mw) / W - 0.5, 0), mw - 1);
          const c0 = Math.floor(px);
          const c1 = Math.min(c0 + 1, mw - 1);
          const fx = px - c0;
          const top = (logits[r0 * mw + c0] as number) * (1 - fx) + (logits[r0 * mw + c1] as number) * fx;
          const bottom = (logits[r1 * mw + c0] as number) * (1 - fx) + (logits[r1 * mw + c1] as number) * fx;
          const probability = 1 / (1 + Math.exp(-(top * (1 - fy) + bottom * fy)));
          const at = plane + y * W + x;
          if (probability > (maps[at] as number)) maps[at] = probability;
        }
      }
    }
    return maps;
  });
}
