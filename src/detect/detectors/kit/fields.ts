/**
 * Reading SecurityEvents the way the detectors need them (detect, built-in detectors): the
 * business section by type, the account key, the client's network (/24, /48), its device
 * (TLS fingerprint or user agent), its session, and attributes of a known type. Shops send
 * attributes as they like, so every read checks the type and answers undefined otherwise.
 */
import type { SecurityEvent } from '../../../core/records/index.js';

export type Business = NonNullable<SecurityEvent['business']>;

/** The business section when the event is a business event of one of `types`. */
export function businessOf(event: SecurityEvent, types?: ReadonlySet<string>): Business | undefined {
  const business = event.business;
  if (event.kind !== 'business' || business === undefined) return undefined;
  if (types !== undefined && !types.has(business.type)) return undefined;
  return business;
}

export function stringAttribute(business: Business, name: string): string | undefined {
  const value = business.attributes[name];
  return typeof value === 'string' && value !== ''
    ? value
    : typeof value === 'number'
      ? String(value)
      : undefined;
}

export function numberAttribute(business: Business, name: string): number | undefined {
  const value = business.attributes[name];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** The account an event is about: the shop's account id, else the e-mail, lower-cased. */
export function accountKeyOf(business: Business): string | undefined {
  if (business.accountId) return business.accountId;
  const email = business.email?.trim().toLowerCase();
  return email ? email : undefined;
}

/**
 * The account a login attempt targets: the e-mail typed, lower-cased, else the account id.
 * Failed logins only know what was typed, so successes must be keyed the same way.
 */
export function loginKeyOf(business: Business): string | undefined {
  return normalisedEmail(business) ?? (business.accountId ? business.accountId : undefined);
}

export function normalisedEmail(business: Business): string | undefined {
  const email = business.email?.trim().toLowerCase();
  return email ? email : undefined;
}

export function clientIpOf(event: SecurityEvent): string | undefined {
  const ip = event.client?.ip;
  return ip ? ip : undefined;
}

/** The client's TLS fingerprint or user agent, from the client section or the shop's attributes. */
export function deviceOf(event: SecurityEvent): string | undefined {
  const ja4 = event.client?.ja4 ?? attributeOf(event, 'ja4');
  if (ja4) return `ja4:${ja4}`;
  const deviceId = attributeOf(event, 'deviceId');
  if (deviceId) return `device:${deviceId}`;
  const userAgent = event.client?.userAgent ?? attributeOf(event, 'userAgent');
  return userAgent ? `ua:${userAgent}` : undefined;
}

export function ja4Of(event: SecurityEvent): string | undefined {
  return event.client?.ja4 ?? attributeOf(event, 'ja4');
}

export function userAgentOf(event: SecurityEvent): string | undefined {
  return event.client?.userAgent ?? attributeOf(event, 'userAgent');
}

export function sessionOf(event: SecurityEvent): string | undefined {
  return attributeOf(event, 'sessionId');
}

/** A non-empty string attribute of the event's business section. */
export function attributeOf(event: SecurityEvent, name: string): string | undefined {
  const value = event.business?.attributes[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The network an address belongs to: `a.b.c.0/24` for IPv4 (and IPv4-mapped IPv6),
 * `xxxx:xxxx:xxxx::/48` for IPv6; the text itself when it is neither.
 */
export function networkOf(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1] : ip;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(v4 as string);
  if (octets) return `${octets[1]}.${octets[2]}.${octets[3]}.0/24`;
  if (!ip.includes(':')) return ip;
  const groups = expandIpv6(ip.split('%')[0] as string);
  return groups ? `${groups.slice(0, 3).join(':')}::/48` : ip;
}

function expandIpv6(ip: string): string[] | undefined {
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const left = halves[0] ? (halves[0] as string).split(':') : [];
  const right = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : [];
  if (right.some((g) => g.includes('.')) || left.some((g) => g.includes('.'))) return undefined;
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ''));
}

/** The domain of an e-mail address, lower-cased; undefined when there is none. */
export function emailDomainOf(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return undefined;
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase();
}
