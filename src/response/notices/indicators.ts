/**
 * Indicators a partner notice shares (response / notices, no I/O): what kinds exist, how each
 * is checked, and the STIX 2.1 pattern that matches it. Values come from alerts (untrusted
 * traffic), so each is validated before it goes into a pattern, and quoted as the STIX
 * patterning grammar requires.
 */
import { isIP } from 'node:net';
import { z } from 'zod';

export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'sha256'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function validValue(type: IndicatorType, value: string): boolean {
  switch (type) {
    case 'ipv4':
    case 'ipv6': {
      const [address = '', prefix, ...rest] = value.split('/');
      if (rest.length > 0 || isIP(address) !== (type === 'ipv4' ? 4 : 6)) return false;
      const max = type === 'ipv4' ? 32 : 128;
      return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max);
    }
    case 'domain':
      return DOMAIN.test(value);
    case 'url':
      return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
    case 'sha256':
      return /^[0-9a-f]{64}$/i.test(value);
  }
}

export const indicatorSchema = z
  .strictObject({
    type: z.enum(INDICATOR_TYPES),
    value: z.string().min(1).max(2048),
    description: z.string().max(1000).optional(),
    firstSeen: z.iso.datetime({ offset: true }).optional(),
    lastSeen: z.iso.datetime({ offset: true }).optional(),
    /** How often it was seen (a sighting's count). */
    count: z.number().int().min(0).max(999_999_999).optional(),
  })
  .refine((indicator) => validValue(indicator.type, indicator.value), {
    message: 'the value is not valid for its type',
    path: ['value'],
  });
export type Indicator = z.infer<typeof indicatorSchema>;

const PATTERN_OBJECT: Record<IndicatorType, string> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  sha256: "file:hashes.'SHA-256'",
};

/** The STIX pattern, e.g. `[ipv4-addr:value = '203.0.113.7']`; quotes and backslashes escaped. */
export function stixPatternOf(indicator: Pick<Indicator, 'type' | 'value'>): string {
  const quoted = indicator.value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  return `[${PATTERN_OBJECT[indicator.type]} = '${quoted}']`;
}
