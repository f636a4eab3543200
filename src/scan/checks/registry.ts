/** Every check the scanner runs, in order: passive first, then active. One line per check. */
import type { Check } from './check.js';
import { accountEnumerationCheck } from './active/account-enumeration.js';
import { checkoutTamperingCheck } from './active/checkout-tampering.js';
import { commandInjectionCheck } from './active/command-injection.js';
import { csrfCheck } from './active/csrf.js';
import { idorCheck } from './active/idor.js';
import { loginRateLimitCheck } from './active/login-rate-limit.js';
import { openRedirectCheck } from './active/open-redirect.js';
import { paymentRateLimitCheck } from './active/payment-rate-limit.js';
import { pathTraversalCheck } from './active/path-traversal.js';
import { reflectedXssCheck } from './active/reflected-xss.js';
import { sqlInjectionCheck } from './active/sql-injection.js';
import { sqlInjectionTimeCheck } from './active/sql-injection-time.js';
import { ssrfCheck } from './active/ssrf.js';
import { storedXssCheck } from './active/stored-xss.js';
import { cookiesCheck } from './passive/cookies.js';
import { corsCheck } from './passive/cors.js';
import { csrfTokensCheck } from './passive/csrf-tokens.js';
import { exposedFilesCheck } from './passive/exposed-files.js';
import { mixedContentCheck } from './passive/mixed-content.js';
import { scriptInventoryCheck } from './passive/script-inventory.js';
import { securityHeadersCheck } from './passive/security-headers.js';
import { tlsCheck } from './passive/tls.js';
import { transportCheck } from './passive/transport.js';
import { versionDisclosureCheck } from './passive/version-disclosure.js';

export const CHECKS: readonly Check[] = [
  cookiesCheck,
  corsCheck,
  csrfTokensCheck,
  exposedFilesCheck,
  mixedContentCheck,
  scriptInventoryCheck,
  securityHeadersCheck,
  tlsCheck,
  transportCheck,
  versionDisclosureCheck,
  accountEnumerationCheck,
  checkoutTamperingCheck,
  commandInjectionCheck,
  csrfCheck,
  idorCheck,
  loginRateLimitCheck,
  openRedirectCheck,
  pathTraversalCheck,
  paymentRateLimitCheck,
  reflectedXssCheck,
  sqlInjectionCheck,
  sqlInjectionTimeCheck,
  ssrfCheck,
  storedXssCheck,
];
