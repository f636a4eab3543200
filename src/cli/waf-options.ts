/** The WAF flags `start` and `demo` share, and the one line the banners print about the WAF. */
import { Option, type Command } from 'commander';
import type { EnsuresecConfig } from '../server/config/schema.js';

export interface WafFlags {
  crs?: string;
  paranoia?: string;
}

export function withWafOptions(command: Command): Command {
  return command
    .option('--crs <dir>', 'an extracted OWASP CRS release to run in the gateway (overrides waf.crs)')
    .addOption(
      new Option('--paranoia <level>', 'CRS paranoia level (overrides waf.paranoia)').choices([
        '1',
        '2',
        '3',
        '4',
      ]),
    );
}

export function applyWafOptions(config: EnsuresecConfig, flags: WafFlags): void {
  if (flags.crs) config.waf.crs = flags.crs;
  if (flags.paranoia) config.waf.paranoia = Number(flags.paranoia);
}

export function wafSummary(waf: EnsuresecConfig['waf']): string {
  if (waf.crs === undefined) return 'off: no OWASP CRS configured (--crs DIR or waf.crs; see docs/waf.md)';
  if (waf.mode === 'Off') return 'off (waf.mode: Off)';
  return `OWASP CRS from ${waf.crs}, paranoia level ${waf.paranoia}, ${waf.mode === 'On' ? 'blocking' : 'detection only'}`;
}
