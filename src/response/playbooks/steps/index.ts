/**
 * The step registry (response / playbooks): one line per step type, alphabetical. Adding a
 * step type is its schema in ../schema.ts, a file in this folder and a line here. `approval`
 * has no handler: the runner itself pauses the run there.
 */
import type { PlaybookStepType } from '../schema.js';
import { callCarrierStep } from './call-carrier.js';
import { callShopStep } from './call-shop.js';
import { decideStep } from './decide.js';
import { incidentStep } from './incident.js';
import { modeStep } from './mode.js';
import { notifyCustomersStep } from './notify-customers.js';
import { notifyPartnersStep } from './notify-partners.js';
import { shareIndicatorsStep } from './share-indicators.js';
import type { StepHandler } from './types.js';

export const STEP_HANDLERS: { [T in Exclude<PlaybookStepType, 'approval'>]: StepHandler<T> } = {
  'call-carrier': callCarrierStep,
  'call-shop': callShopStep,
  decide: decideStep,
  incident: incidentStep,
  mode: modeStep,
  'notify-customers': notifyCustomersStep,
  'notify-partners': notifyPartnersStep,
  'share-indicators': shareIndicatorsStep,
};

export type { PlaybookDeps, ShopCallSettings, StepContext, StepHandler, StepResult } from './types.js';
