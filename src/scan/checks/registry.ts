/** Every check the scanner runs, in order: passive first, then active. One line per check. */
import type { Check } from './check.js';
import { loginRateLimitCheck } from './active/login-rate-limit.js';
import { openRedirectCheck } from './active/open-redirect.js';
import { pathTraversalCheck } from './active/path-traversal.js';
import { reflectedXssCheck } from './active/reflected-xss.js';
import { sqlInjectionCheck } from './active/sql-injection.js';
import { cookiesCheck } from './passive/cookies.js';
import { corsCheck } from './passive/cors.js';
import { csrfTokensCheck } from './passive/csrf-tokens.js';
import { exposedFilesCheck } from './passive/exposed-files.js';
import { scriptInventoryCheck } from './passive/script-inventory.js';
import { securityHeadersCheck } from './passive/security-headers.js';
import { transportCheck } from './passive/transport.js';
import { versionDisclosureCheck } from './passive/version-disclosure.js';

export const CHECKS: readonly Check[] = [
  cookiesCheck,
  corsCheck,
  csrfTokensCheck,
  exposedFilesCheck,
  scriptInventoryCheck,
  securityHeadersCheck,
  transportCheck,
  versionDisclosureCheck,
  loginRateLimitCheck,
  openRedirectCheck,
  pathTraversalCheck,
  reflectedXssCheck,
  sqlInjectionCheck,
];
