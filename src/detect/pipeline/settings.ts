/**
 * The detection pipeline as the configuration describes it (detect/pipeline): loads the Sigma
 * rule files and directories and the indicator files named in the `detection` section, and
 * builds the pipeline. A rule or indicator file that does not load is reported in `problems`
 * (file and reason) and never stops the others; bad detector settings are `config_invalid`.
 * Used by the composition root and by `ensuresec ingest`.
 *
 * @example
 * const { pipeline, problems } = await loadDetectionPipeline({ sigmaRules: ['/etc/ensuresec/sigma'] });
 */
import type { AnomalyConfigInput } from '../anomaly/index.js';
import type { DetectorsConfig } from '../detectors/registry.js';
import { importIndicatorFile, IndicatorIndex, intelProblemText, type Indicator } from '../intel/index.js';
import { loadSigmaRules, problemText } from '../sigma/index.js';
import { createDetectionPipeline, type DetectionPipeline } from './pipeline.js';

export interface DetectionSettings {
  /** Sigma rule files and directories (read recursively). */
  sigmaRules?: readonly string[];
  /** Correlation groups kept per rule; default 200,000. */
  maxKeysPerRule?: number;
  /** Indicator files (CSV, plain lists, STIX 2.1 bundles). */
  intelFiles?: readonly string[];
  intelMinConfidence?: number;
  /** The built-in detectors' settings, passed to the registry as they are. */
  detectors?: Record<string, unknown>;
  /** The anomaly detector's settings; `enabled: false` turns it off. */
  anomaly?: Record<string, unknown>;
  groupWindowMs?: number;
  maxGroups?: number;
  maxEvidenceEvents?: number;
}

export interface DetectionProblem {
  code: 'sigma_rule_invalid' | 'intel_import_invalid';
  text: string;
}

export interface LoadedDetection {
  pipeline: DetectionPipeline;
  /** Every rule or indicator that did not load: its code and `file#document: reason`. */
  problems: DetectionProblem[];
  sigma: { files: number; rules: number; activeRules: number; correlations: number };
  indicators: number;
}

async function loadIndicators(files: readonly string[], problems: DetectionProblem[]): Promise<Indicator[]> {
  const indicators: Indicator[] = [];
  for (const file of files) {
    try {
      const imported = await importIndicatorFile(file);
      indicators.push(...imported.indicators);
      for (const problem of imported.problems)
        problems.push({ code: 'intel_import_invalid', text: intelProblemText(problem) });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      problems.push({ code: 'intel_import_invalid', text: `${file}: ${reason}` });
    }
  }
  return indicators;
}

export async function loadDetectionPipeline(settings: DetectionSettings = {}): Promise<LoadedDetection> {
  const problems: DetectionProblem[] = [];
  const rulePaths = settings.sigmaRules ?? [];
  const sigma =
    rulePaths.length > 0
      ? await loadSigmaRules(rulePaths)
      : { rules: [], correlations: [], problems: [], files: 0 };
  for (const problem of sigma.problems)
    problems.push({ code: 'sigma_rule_invalid', text: problemText(problem) });
  const intelFiles = settings.intelFiles ?? [];
  const indicators = intelFiles.length > 0 ? await loadIndicators(intelFiles, problems) : [];
  const { enabled: anomalyEnabled, ...anomaly } = settings.anomaly ?? {};

  const pipeline = createDetectionPipeline({
    sigma,
    ...(settings.maxKeysPerRule !== undefined
      ? { correlation: { maxKeysPerRule: settings.maxKeysPerRule } }
      : {}),
    detectors: (settings.detectors ?? {}) as DetectorsConfig,
    ...(indicators.length > 0
      ? {
          intel: {
            index: new IndicatorIndex(indicators),
            ...(settings.intelMinConfidence !== undefined
              ? { minConfidence: settings.intelMinConfidence }
              : {}),
          },
        }
      : {}),
    // The anomaly detector validates its own settings (strictly, with `config_invalid`).
    anomaly: anomalyEnabled === false ? false : (anomaly as AnomalyConfigInput),
    grouping: {
      ...(settings.groupWindowMs !== undefined ? { windowMs: settings.groupWindowMs } : {}),
      ...(settings.maxGroups !== undefined ? { maxGroups: settings.maxGroups } : {}),
      ...(settings.maxEvidenceEvents !== undefined ? { maxEvidenceEvents: settings.maxEvidenceEvents } : {}),
    },
  });
  return {
    pipeline,
    problems,
    sigma: {
      files: sigma.files,
      rules: sigma.rules.length,
      activeRules: pipeline.sigmaActiveRules,
      correlations: sigma.correlations.length,
    },
    indicators: indicators.length,
  };
}
