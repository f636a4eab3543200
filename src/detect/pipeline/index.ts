/** The detection pipeline (detect/pipeline): the public API. See docs/detection.md. */
export {
  AlertGrouper,
  DEFAULT_GROUP_WINDOW_MS,
  DEFAULT_MAX_EVIDENCE_EVENTS,
  DEFAULT_MAX_GROUPS,
} from './grouping.js';
export type { AlertChange, AlertGroupingOptions } from './grouping.js';
export { createDetectionPipeline } from './pipeline.js';
export type { DetectionPipeline, DetectionPipelineOptions, DetectionPipelineStats } from './pipeline.js';
export { runDetection } from './run.js';
export type { RunDetectionOptions, RunningDetection } from './run.js';
export { loadDetectionPipeline } from './settings.js';
export type { DetectionProblem, DetectionSettings, LoadedDetection } from './settings.js';
export { attackTechniques, sigmaAsDetector, SIGMA_DETECTOR_NAME } from './sigma-adapter.js';
export { createAlertWriter } from './writer.js';
export type { AlertWriter, AlertWriterOptions, AlertWriterStats } from './writer.js';
