/**
 * Engine setting directives (gateway/waf/seclang): validates the arguments of SecRuleEngine,
 * SecRequestBodyAccess, the body limits, SecResponseBodyMimeType... and folds them into
 * EngineSettings. A wrong value is a WafLoadError, never a silent default.
 *
 * @example SecRequestBodyLimit 13107200   ->  settings.requestBodyLimitBytes = 13107200
 */
import path from 'node:path';
import { WafLoadError } from './errors.js';
import type { BodyLimitAction, EngineSettings, RuleEngineMode, SettingItem } from './model.js';
import type { Directive } from '../types.js';

type SettingKind =
  | 'onOff'
  | 'bytes'
  | 'count'
  | 'seconds'
  | 'engineMode'
  | 'limitAction'
  | 'mimeTypes'
  | 'none'
  | 'text'
  | 'unicodeMap';

const SETTING_KINDS: Readonly<Record<string, SettingKind>> = {
  SecArgumentsLimit: 'count',
  SecCollectionTimeout: 'seconds',
  SecComponentSignature: 'text',
  SecRequestBodyAccess: 'onOff',
  SecRequestBodyJsonDepthLimit: 'count',
  SecRequestBodyLimit: 'bytes',
  SecRequestBodyLimitAction: 'limitAction',
  SecRequestBodyNoFilesLimit: 'bytes',
  SecResponseBodyAccess: 'onOff',
  SecResponseBodyLimit: 'bytes',
  SecResponseBodyLimitAction: 'limitAction',
  SecResponseBodyMimeType: 'mimeTypes',
  SecResponseBodyMimeTypesClear: 'none',
  SecRuleEngine: 'engineMode',
  SecUnicodeMapFile: 'unicodeMap',
};

export function isSettingDirective(canonicalName: string): boolean {
  return canonicalName in SETTING_KINDS;
}

function oneOf(directive: Directive, value: string, allowed: readonly string[]): string {
  const found = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (found === undefined) {
    throw new WafLoadError(
      directive.location,
      `${directive.name} accepts ${allowed.join(' | ')}, not "${value}"`,
    );
  }
  return found;
}

/** Validates a setting directive (canonical name) and returns its normalised item. */
export function parseSetting(directive: Directive): SettingItem {
  const kind = SETTING_KINDS[directive.name];
  const { args, location, name } = directive;
  if (kind === undefined) throw new WafLoadError(location, `${name} is not a setting directive`);
  if (kind === 'none') {
    if (args.length > 0) throw new WafLoadError(location, `${name} takes no argument`);
    return { kind: 'setting', name, args: [], location };
  }
  if (kind === 'mimeTypes') {
    const types = args.flatMap((arg) => arg.split(/[ \t]+/)).filter((type) => type !== '');
    if (types.length === 0) throw new WafLoadError(location, `${name} needs at least one MIME type`);
    const bad = types.find((type) => !/^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/.test(type));
    if (bad !== undefined) throw new WafLoadError(location, `${name}: "${bad}" is not a MIME type`);
    return { kind: 'setting', name, args: types.map((type) => type.toLowerCase()), location };
  }
  if (kind === 'unicodeMap') {
    // SecUnicodeMapFile FILE CODEPAGE: the file is read by the loader, relative to this file.
    const [file = '', codePage = ''] = args;
    if (args.length !== 2 || file.trim() === '')
      throw new WafLoadError(location, `${name} takes a file and a code page, e.g. "unicode.mapping 20127"`);
    if (!/^[0-9]{1,9}$/.test(codePage) || Number(codePage) === 0)
      throw new WafLoadError(location, `${name}: the code page must be a positive number, not "${codePage}"`);
    return { kind: 'setting', name, args: [file, String(Number(codePage))], location };
  }
  if (args.length !== 1)
    throw new WafLoadError(location, `${name} takes exactly one argument, got ${args.length}`);
  const value = args[0] ?? '';
  switch (kind) {
    case 'onOff':
      return { kind: 'setting', name, args: [oneOf(directive, value, ['On', 'Off'])], location };
    case 'engineMode':
      return {
        kind: 'setting',
        name,
        args: [oneOf(directive, value, ['On', 'Off', 'DetectionOnly'])],
        location,
      };
    case 'limitAction':
      return {
        kind: 'setting',
        name,
        args: [oneOf(directive, value, ['Reject', 'ProcessPartial'])],
        location,
      };
    case 'bytes':
    case 'count':
    case 'seconds':
      if (!/^[0-9]{1,15}$/.test(value)) {
        throw new WafLoadError(location, `${name} needs a non-negative whole number, not "${value}"`);
      }
      return { kind: 'setting', name, args: [value], location };
    case 'text':
      if (value.trim() === '') throw new WafLoadError(location, `${name} needs a non-empty value`);
      return { kind: 'setting', name, args: [value], location };
  }
}

/** Folds one validated setting into the settings (last wins; mime types accumulate). */
export function applySetting(settings: EngineSettings, item: SettingItem): void {
  const value = item.args[0] ?? '';
  switch (item.name) {
    case 'SecRuleEngine':
      settings.ruleEngine = value as RuleEngineMode;
      break;
    case 'SecRequestBodyAccess':
      settings.requestBodyAccess = value === 'On';
      break;
    case 'SecResponseBodyAccess':
      settings.responseBodyAccess = value === 'On';
      break;
    case 'SecRequestBodyLimit':
      settings.requestBodyLimitBytes = Number(value);
      break;
    case 'SecRequestBodyNoFilesLimit':
      settings.requestBodyNoFilesLimitBytes = Number(value);
      break;
    case 'SecRequestBodyLimitAction':
      settings.requestBodyLimitAction = value as BodyLimitAction;
      break;
    case 'SecRequestBodyJsonDepthLimit':
      settings.requestBodyJsonDepthLimit = Number(value);
      break;
    case 'SecResponseBodyLimit':
      settings.responseBodyLimitBytes = Number(value);
      break;
    case 'SecResponseBodyLimitAction':
      settings.responseBodyLimitAction = value as BodyLimitAction;
      break;
    case 'SecResponseBodyMimeType':
      settings.responseBodyMimeTypes = [
        ...new Set([...(settings.responseBodyMimeTypes ?? []), ...item.args]),
      ];
      break;
    case 'SecResponseBodyMimeTypesClear':
      settings.responseBodyMimeTypes = [];
      break;
    case 'SecCollectionTimeout':
      settings.collectionTimeoutSec = Number(value);
      break;
    case 'SecArgumentsLimit':
      settings.argumentsLimit = Number(value);
      break;
    case 'SecComponentSignature':
      settings.componentSignatures.push(value);
      break;
    case 'SecUnicodeMapFile':
      settings.unicodeMapFile = {
        file: path.resolve(path.dirname(item.location.file), value),
        codePage: Number(item.args[1]),
        location: item.location,
      };
      break;
  }
}
