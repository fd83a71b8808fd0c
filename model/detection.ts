/**
 * One box out of a detector: corners in pixels (of the model input before tile merge, of the scene after)
 * and the index of its class in the manifest's `classes`.
 */
export interface ModelDetection {
  classId: number;
  score: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Anchor the box came from (set by decodeYolo for segment exports: its mask coefficients sit there). */
  anchor?: number;
}
