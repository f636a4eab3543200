/**
 * Content-Security-Policy quality: parses a policy (CSP Level 3 syntax) and lists its
 * weaknesses: scripts allowed inline or through eval, from anywhere (`*`, a bare scheme),
 * plugins not forbidden (`object-src`), `<base>` not restricted (`base-uri`).
 *
 * @example cspWeaknesses("script-src 'self' 'unsafe-inline'") // [{ key: 'unsafe-inline', … }, …]
 */

export interface CspWeakness {
  key:
    | 'unsafe-inline'
    | 'unsafe-eval'
    | 'wildcard-source'
    | 'object-src-missing'
    | 'base-uri-missing'
    | 'no-script-policy';
  directive: string;
  detail: string;
}

export function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    // The first occurrence of a directive wins (CSP3 §2.2.1); later ones are ignored.
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

const WILDCARD_SOURCES = new Set(['*', 'http:', 'https:', 'data:', 'blob:']);

export function cspWeaknesses(policy: string): CspWeakness[] {
  const csp = parseCsp(policy);
  const weaknesses: CspWeakness[] = [];
  const scriptDirective = csp.has('script-src')
    ? 'script-src'
    : csp.has('default-src')
      ? 'default-src'
      : null;
  if (!scriptDirective) {
    weaknesses.push({
      key: 'no-script-policy',
      directive: 'script-src',
      detail: 'neither script-src nor default-src is set: scripts may come from anywhere',
    });
  } else {
    const sources = (csp.get(scriptDirective) ?? []).map((s) => s.toLowerCase());
    // A nonce or hash makes browsers ignore 'unsafe-inline' (CSP3), so it is only a weakness without them.
    const hasNonceOrHash = sources.some((s) => /^'(nonce-|sha256-|sha384-|sha512-)/.test(s));
    const strictDynamic = sources.includes("'strict-dynamic'");
    if (sources.includes("'unsafe-inline'") && !hasNonceOrHash) {
      weaknesses.push({
        key: 'unsafe-inline',
        directive: scriptDirective,
        detail: `${scriptDirective} allows 'unsafe-inline': injected inline scripts run`,
      });
    }
    if (sources.includes("'unsafe-eval'")) {
      weaknesses.push({
        key: 'unsafe-eval',
        directive: scriptDirective,
        detail: `${scriptDirective} allows 'unsafe-eval': strings can be run as code`,
      });
    }
    const wild = sources.filter((s) => WILDCARD_SOURCES.has(s));
    if (wild.length > 0 && !strictDynamic) {
      weaknesses.push({
        key: 'wildcard-source',
        directive: scriptDirective,
        detail: `${scriptDirective} allows scripts from ${wild.join(' ')}`,
      });
    }
  }
  const objectSources = csp.get('object-src') ?? csp.get('default-src');
  if (!objectSources || !objectSources.map((s) => s.toLowerCase()).includes("'none'")) {
    weaknesses.push({
      key: 'object-src-missing',
      directive: 'object-src',
      detail: "object-src is not 'none' (nor is default-src): plugins can load content",
    });
  }
  if (!csp.has('base-uri')) {
    weaknesses.push({
      key: 'base-uri-missing',
      directive: 'base-uri',
      detail:
        'base-uri is not set (it has no fallback): an injected <base> can redirect relative script URLs',
    });
  }
  return weaknesses;
}
