/**
 * The analyze topology, images.process → ml.results, read top to bottom:
 *   dedupe (Redis, by the ImageRef's content hash) → fetch (allowed stores and types only, misses only, byte limit,
 *   sha256) → decode (sharp for JPEG/PNG, a GeoTIFF window reader for TIFF; pixel limit, memory budget) → infer
 *   (tiles batched across scenes, one ONNX session; GeoTIFF tiles read when their batch is prepared) → result (YOLO
 *   post-processing, tile merge, lat/lon through the file's transform and CRS or the footprint, risk) → cache.
 *   Beside the detector, a configured segmentation model whose bands a GeoTIFF has gives the result its extents
 *   (segmentScene).
 * Each stage is a core operator; a record that can never succeed ends as a status=failed result plus its
 * DeadLetter (publishFailures), and the stream goes on.
 *
 * This file declares the stage's topics and steps; `main.ts` opens what they need (model, store, Redis) and runs it.
 */
import type { Client } from 'minio';
import type { ImageRef } from '../../schemas/generated/ImageRef.ts';
import type { AnalysisResult } from '../../schemas/generated/AnalysisResult.ts';
import { asyncStage } from '../../pipeline/operators/asyncStage.ts';
import type { RetryPolicy } from '../../pipeline/operators/retryTransient.ts';
import { PermanentCode, PermanentError } from '../../pipeline/errors.ts';
import type { Failed, OutputRecord } from '../../pipeline/types.ts';
import type { StageDefinition, StageTopics } from '../../pipeline/topologyDefinition.ts';
import type { TopicRole, TopicSpec } from '../../config/topics.ts';
import type { Logger } from '../../pipeline/logger.ts';
import type { ModelManifest } from '../../model/manifest.ts';
import type { AnalyzeOptions } from './analyzeOptions.ts';
import type { AnalyzeMetrics } from './analyzeMetrics.ts';
import { buildAnalysisResult, type SceneAnalysis } from './analysisResult.ts';
import { declaredFormat } from './decodeScene.ts';
import { footprintMismatch, openScene, type OpenedScene } from './openScene.ts';
import { segmentScene, type SegmentationModel } from './segmentScene.ts';
import { detectScene } from './detectScene.ts';
import type { ReferenceWater } from './referenceWater.ts';
import type { ScenePairing, SceneGrid } from './scenePairing.ts';
import { findBand, type SceneReader } from '../../eo/sceneReader.ts';
import { failedResultOutputs, publishFailures } from './failedResult.ts';
import { boundExtents } from '../../model/segmentation/extentBudget.ts';
import { fetchObject } from './fetchObject.ts';
import { resolveObjectLocation } from '../../adapters/objectStore/objectLocation.ts';
import type { MemoryBudget } from './memoryBudget.ts';
import type { ResultCache } from './resultCache.ts';
import { footprintProblem } from './scenePlacement.ts';
import type { TileInference } from './tileInference.ts';

export interface AnalyzeDeps {
  options: AnalyzeOptions;
  store: Client;
  cache: ResultCache;
  manifest: ModelManifest;
  inference: TileInference;
  /** Segmentation models run beside the detector, on GeoTIFF scenes with their bands (per class, the first that fits). */
  segmenters?: readonly SegmentationModel[];
  /** The operator's reference water layer (HAZARDFLOW_REFERENCE_WATER), applied to segmented water. */
  referenceWater?: ReferenceWater;
  /** Where scenes are remembered for pairing, per input topic (present when a segmentation manifest declares pairing). */
  pairingFor?: (topic: string) => ScenePairing;
  /** Bound on fetched objects not yet decoded. */
  fetchedBudget: MemoryBudget;
  /** Bound on decoded scenes not yet through inference. */
  decodedBudget: MemoryBudget;
  metrics: AnalyzeMetrics;
  /** Called for each record dead-lettered by the stages (the core's dead-letter metric). */
  onDeadLetter?: (item: Failed) => void;
  logger?: Logger;
  /** Retry policy of the stages (default: the core's). */
  retry?: RetryPolicy;
}

/** A scene on its way: not in the cache, fetched bytes, then decoded pixels, then what was found. */
type Unseen = { ref: ImageRef; startedAt: number };
type Fetched = { ref: ImageRef; startedAt: number; bytes: Buffer; release: () => void };
type Decoded = { ref: ImageRef; startedAt: number; scene: OpenedScene; release: () => void };
type Analysed = { ref: ImageRef; startedAt: number; analysis: SceneAnalysis; cached: boolean };

/** Waits for `bytes` of `budget`; the release it returns may be called more than once (a retried stage). */
async function hold(budget: MemoryBudget, bytes: number, metrics: AnalyzeMetrics, label: 'fetched' | 'decoded'): Promise<() => void> {
  await budget.acquire(bytes);
  metrics.heldBytes.inc({ budget: label }, bytes);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    budget.release(bytes);
    metrics.heldBytes.dec({ budget: label }, bytes);
  };
}

type AnalyzeSinks = { results: string };

/** The stage's topics: ImageRefs in, one ml.results record per image out (a failed one too, beside its dead letter). */
export function analyzeTopics(options: Pick<AnalyzeOptions, 'groupId'>, topics: Pick<Record<TopicRole, TopicSpec>, 'images' | 'results' | 'dlq'>): StageTopics<AnalyzeSinks> {
  return {
    name: 'analyze',
    groupId: options.groupId,
    sources: [topics.images.name],
    sinks: { results: topics.results.name },
    deadLetters: topics.dlq.name,
    mode: 'transactional',
  };
}

/**
 * The analyze stage over the consumed ImageRefs; every record comes out as one Item: its ml.results record, or the
 * failure that ended it.
 *
 * @example runStage(analyzeStage(analyzeTopics(options, ctx.topics), deps), { connections, … })
 */
export function analyzeStage(topics: StageTopics<AnalyzeSinks>, deps: AnalyzeDeps): StageDefinition<ImageRef, AnalyzeSinks> {
  const { sinks } = topics;
  const { options, manifest, metrics } = deps;
  const retry = deps.retry ? { retry: deps.retry } : {};
  const model = { name: manifest.name, version: manifest.version };
  const hazardOf = (className: string) => manifest.hazard_classes[className];
  const allow = { buckets: options.allowedBuckets, endpoint: options.storeEndpoint };
  const pairing = deps.pairingFor?.(topics.sources[0] as string);
  const pairingModels = (deps.segmenters ?? []).filter((s) => s.pairing);
  const pairingBands = [...new Set(pairingModels.flatMap((m) => m.bands))];

  /**
   * Remembers the scene on its grid (with the pairing models' bands it has), then looks for a fused model whose bands
   * it has only some of and a remembered scene of its grid with the rest.
   */
  const rememberAndPair = async (ref: ImageRef, grid: SceneGrid, has: (band: string) => boolean): Promise<{ model: SegmentationModel; partner: ImageRef } | undefined> => {
    if (!pairing) return undefined;
    await pairing.remember(ref, grid, pairingBands.filter(has));
    for (const m of pairingModels) {
      const need = m.bands.filter((b) => !has(b));
      if (need.length === 0 || need.length === m.bands.length || !m.pairing) continue;
      const partner = await pairing.partner(ref, grid, need, m.pairing);
      if (partner) return { model: m, partner };
    }
    return undefined;
  };

  // The ImageRef carries the content hash and how to read it, so the cache is asked first and only a miss is read from the store.
  const dedupe = async (ref: ImageRef): Promise<Unseen | Analysed> => {
    const startedAt = performance.now();
    let analysis = await deps.cache.get(ref);
    // A cached scene is remembered for pairing like an analysed one (by the file's band names); its analysis alone is
    // stale once a scene to pair it with has arrived (paired analyses are not cached).
    if (analysis?.georef && pairing) {
      const bands = new Set((analysis.bands ?? []).map((b) => b.toLowerCase()));
      const has = (b: string) => bands.has(b.toLowerCase());
      const grid = { georef: analysis.georef, width: analysis.width, height: analysis.height };
      if (await rememberAndPair(ref, grid, has)) analysis = undefined;
    }
    metrics.cacheLookups.inc({ result: analysis ? 'hit' : 'miss' });
    return analysis ? { ref, startedAt, analysis, cached: true } : { ref, startedAt };
  };

  // A hit is checked like a miss (its reference may point elsewhere or outside the allowed stores), then passes.
  const fetch = async (work: Unseen | Analysed): Promise<Fetched | Analysed> => {
    const { ref, startedAt } = work;
    const problem = footprintProblem(ref);
    if (problem) throw new PermanentError(PermanentCode.INVALID_COORDINATES, problem);
    const location = resolveObjectLocation(ref.uri, allow);
    declaredFormat(ref.content_type);
    if ('analysis' in work) return work;
    // fetchObject reads at most the declared size, and refuses one over the limit before reading.
    const release = await hold(deps.fetchedBudget, Math.max(0, Math.min(ref.size_bytes, options.maxObjectBytes)), metrics, 'fetched');
    try {
      const bytes = await fetchObject(deps.store, location, ref.sha256, ref.size_bytes, { maxBytes: options.maxObjectBytes });
      return { ref, startedAt, bytes, release };
    } catch (err) {
      release();
      throw err;
    }
  };

  const decode = async (work: Fetched | Analysed): Promise<Decoded | Analysed> => {
    if (!('bytes' in work)) return work;
    let release: (() => void) | undefined;
    try {
      const scene = await openScene(work.bytes, work.ref, {
        maxPixels: options.maxPixels,
        tiffBlockCacheBytes: options.tiffBlockCacheBytes,
        modelBands: manifest.input.bands,
        segmentationBands: deps.segmenters?.map((m) => m.bands) ?? [],
        admit: async (bytes) => {
          release = await hold(deps.decodedBudget, bytes, metrics, 'decoded');
        },
      });
      return { ref: work.ref, startedAt: work.startedAt, scene, release: release ?? (() => undefined) };
    } catch (err) {
      release?.();
      throw err;
    } finally {
      work.release();
    }
  };

  /**
   * For each class, the first segmentation model (in configured order) whose bands the scene has and that scores it:
   * fused water before optical or SAR alone, and the vegetation model beside whichever water model ran.
   */
  const segmentersOf = (scene: OpenedScene, paired?: SegmentationModel): SegmentationModel[] => {
    const reader = scene.reader;
    if (!reader) return [];
    const covered = new Set<string>(paired?.output.layers.map((l) => l.class));
    return [...(paired ? [paired] : []), ...(deps.segmenters ?? []).filter((s) => {
      const classes = s.output.layers.map((l) => l.class);
      if (classes.every((c) => covered.has(c)) || !s.bands.every((b) => findBand(reader.bands, b))) return false;
      for (const c of classes) covered.add(c);
      return true;
    })];
  };

  /**
   * Remembers a georeferenced scene for pairing and opens its partner when one has arrived: fetched and opened as
   * any scene (allow-list, size, sha256, budgets). A partner that cannot be opened (gone from the store) leaves the
   * scene to its own bands, logged.
   */
  const partnerOf = async (work: Decoded): Promise<{ model: SegmentationModel; partner: Decoded } | undefined> => {
    const { scene, ref } = work;
    if (!pairing || !scene.reader || !scene.georef) return undefined;
    const reader = scene.reader;
    const has = (b: string) => Boolean(findBand(reader.bands, b));
    const grid = { georef: scene.georef, width: reader.width, height: reader.height };
    const found = await rememberAndPair(ref, grid, has);
    if (!found) return undefined;
    try {
      const partner = await decode(await fetch({ ref: found.partner, startedAt: performance.now() }));
      if ('scene' in partner && partner.scene.reader) return { model: found.model, partner };
      if ('scene' in partner) partner.release();
    } catch (err) {
      deps.logger?.warn({ err, image_id: ref.image_id, partner: found.partner.image_id }, 'pairing: partner scene not opened; segmenting the scene alone');
    }
    return undefined;
  };

  const infer = async (work: Decoded | Analysed): Promise<Analysed> => {
    if (!('scene' in work)) return work;
    const { scene } = work;
    let paired: Awaited<ReturnType<typeof partnerOf>>;
    try {
      paired = await partnerOf(work);
      const segmenters = segmentersOf(scene, paired?.model);
      const [segmenter] = segmenters;
      const found = scene.tiles ? await detectScene(deps.inference, manifest, scene.tiles, { overlap: options.tileOverlap, metrics }) : { detections: [], tiles: 0 };
      const segmentations = [];
      // One after the other: each holds its scene maps (about 12 bytes per pixel) only while it runs.
      for (const s of segmenters) {
        const readers = [scene.reader as SceneReader, ...(s === paired?.model ? [paired.partner.scene.reader as SceneReader] : [])];
        segmentations.push(await segmentScene(readers, s, { overlap: options.tileOverlap, ...(deps.referenceWater ? { reference: deps.referenceWater } : {}) }));
      }
      const segmented = segmenter
        ? {
          tiles: segmentations.reduce((n, s) => n + s.tiles, 0),
          // Bounded over all models together: the result is one Kafka record.
          ...boundExtents(segmentations.flatMap((s) => s.extents), segmentations.flatMap((s) => s.untraced), options.maxExtentVertices),
        }
        : undefined;
      metrics.scenesInferred.inc();
      const size = scene.tiles ?? scene.reader;
      const analysis: SceneAnalysis = {
        // A scene only a segmentation model could read (SAR) is that model's result.
        model: scene.tiles || !segmenter ? model : { name: segmenter.name, version: segmenter.version },
        width: size?.width ?? 0, height: size?.height ?? 0, tiles: found.tiles + (segmented?.tiles ?? 0), detections: found.detections,
        georef: scene.georef, sensorProfile: scene.sensorProfile, bands: scene.bands,
        extents: segmented ? segmented.extents : null,
        extentsTrimmed: segmented?.trimmed ?? null,
        fusedImages: paired ? [paired.partner.ref.image_id] : null,
      };
      return { ref: work.ref, startedAt: work.startedAt, analysis, cached: false };
    } finally {
      paired?.partner.release();
      work.release();
    }
  };

  const publish = async (work: Analysed): Promise<OutputRecord[]> => {
    // A fresh scene was checked against its footprint when it was opened; a cached one is checked here, since
    // another reference to the same bytes may place them elsewhere.
    const { georef, width, height } = work.analysis;
    const mismatch = work.cached && georef ? footprintMismatch(work.ref, georef, width, height) : undefined;
    if (mismatch) throw new PermanentError('FOOTPRINT_MISMATCH', mismatch);
    // A paired analysis depends on the partner too, which the content-hash key does not name: not cached.
    if (!work.cached && !work.analysis.fusedImages) {
      // The cache only saves work later: losing an entry to a Redis outage must not fail the result.
      await deps.cache.put(work.ref, work.analysis).catch((err: unknown) =>
        deps.logger?.warn({ err, image_id: work.ref.image_id }, 'analysis not cached'));
    }
    const result: AnalysisResult = buildAnalysisResult(work.ref, work.analysis, {
      cached: work.cached,
      processingTimeMs: performance.now() - work.startedAt,
      completedAt: Date.now(),
      hazardOf,
      defaultGsdM: options.defaultGsdM,
      maxExtentVertices: options.maxExtentVertices,
    });
    return [{ topic: sinks.results, key: result.image_id, value: result }];
  };

  return {
    ...topics,
    // A result that fails only when it is encoded (larger than the broker takes) still answers "failed".
    failureOutputs: (item) => failedResultOutputs(item, sinks.results, model),
    process: (records$, { stageMetrics: metrics }) =>
      records$.pipe(
        asyncStage('dedupe', dedupe, { concurrency: options.fetchConcurrency, ...retry, metrics }),
        asyncStage('fetch', fetch, { concurrency: options.fetchConcurrency, ...retry, metrics }),
        asyncStage('decode', decode, { concurrency: options.decodeConcurrency, ...retry, metrics }),
        asyncStage('infer', infer, { concurrency: options.inferConcurrency, ...retry, metrics }),
        asyncStage('publish', publish, { concurrency: options.inferConcurrency, ...retry, metrics }),
        publishFailures({ resultsTopic: sinks.results, dlqTopic: topics.deadLetters, model, ...(deps.onDeadLetter ? { onDeadLetter: deps.onDeadLetter } : {}) }),
      ),
  };
}
