/** The auth module's public face for the composition root and the CLI. */
export { bootstrapAdmin, createLocalAdminToken, issueApiToken, type BootstrapResult } from './bootstrap.js';
export { hashPassword, verifyPassword, generatePassword } from './passwords.js';
export { SESSION_COOKIE, CSRF_HEADER } from './sessions.js';
export { totpCode } from './totp.js';
