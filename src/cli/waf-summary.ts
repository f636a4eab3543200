/** One line saying what the WAF does, for the start and demo banners. */
import type { EnsuresecConfig } from '../server/config/schema.js';

export function wafSummary(waf: EnsuresecConfig['waf']): string {
  if (waf.crs === undefined) return 'off: no OWASP CRS configured (--crs DIR or waf.crs; see docs/waf.md)';
  if (waf.mode === 'Off') return 'off (waf.mode: Off)';
  return `OWASP CRS from ${waf.crs}, paranoia level ${waf.paranoia}, ${waf.mode === 'On' ? 'blocking' : 'detection only'}`;
}
