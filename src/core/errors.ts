/**
 * The error catalogue (core, no I/O): every error a user can see has a stable code,
 * an HTTP status and a message that says what happened and what to do.
 * `docs/errors.md` lists the same codes; a test keeps the two in step.
 *
 * @example throw new EnsuresecError('not_found', { detail: 'decision dec_01… does not exist' })
 */

export const ERROR_CATALOGUE = {
  // --- client mistakes (4xx) ---
  bad_request: { status: 400, message: 'The request is malformed.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  validation_failed: { status: 400, message: 'The request does not match the expected schema; see details.' },
  invalid_cursor: { status: 400, message: 'The pagination cursor is invalid; start again without a cursor.' },
  intel_import_invalid: {
    status: 400,
    message:
      'Some threat-intelligence entries cannot be imported; each problem names its line or object and why.',
  },
  sigma_rule_invalid: {
    status: 400,
    message: 'A Sigma rule cannot be loaded; each problem names its file, document and why.',
  },
  playbook_invalid: {
    status: 400,
    message: 'A playbook cannot be loaded; each problem names its file:line, the key and why.',
  },
  ledger_proof_invalid_range: {
    status: 400,
    message: 'The proof asks for a leaf or tree size outside the log; see the detail for the valid range.',
  },
  ledger_cosignature_invalid: {
    status: 400,
    message: 'The cosigned checkpoint was refused; the detail says which check failed.',
  },
  unauthenticated: {
    status: 401,
    message: 'Authentication is required: send a bearer token or log in for a session cookie.',
  },
  invalid_credentials: { status: 401, message: 'The user name or password is wrong.' },
  totp_required: { status: 401, message: 'A second factor is required: send the current TOTP code.' },
  totp_invalid: { status: 401, message: 'The TOTP code is wrong or expired.' },
  webhook_signature_invalid: {
    status: 401,
    message:
      'The webhook signature does not verify: sign webhook-id.webhook-timestamp.body with a configured secret (Standard Webhooks).',
  },
  webhook_timestamp_out_of_tolerance: {
    status: 401,
    message:
      "The webhook-timestamp is too far from the server's time; check the sender's clock and send again.",
  },
  token_invalid: { status: 401, message: 'The API token is unknown, revoked or expired.' },
  forbidden: { status: 403, message: 'Your role does not allow this action.' },
  csrf_failed: {
    status: 403,
    message: 'The CSRF token is missing or wrong: send the x-csrf-token header from the login response.',
  },
  banned: { status: 403, message: 'Access denied by a security decision.' },
  not_found: { status: 404, message: 'The resource does not exist.' },
  ledger_checkpoint_unknown: {
    status: 404,
    message: 'The log has no checkpoint of that size (or none yet); fetch the latest one.',
  },
  method_not_allowed: { status: 405, message: 'The method is not allowed on this resource.' },
  conflict: { status: 409, message: 'The resource already exists or was changed concurrently.' },
  incident_transition_invalid: {
    status: 409,
    message:
      'The incident cannot move to that status from its current one; the detail lists the allowed moves.',
  },
  incident_time_already_recorded: {
    status: 409,
    message:
      'That legal timestamp is already recorded and is never edited; record a correction naming the entry it corrects, with a reason.',
  },
  report_already_submitted: {
    status: 409,
    message:
      'That report version is already recorded as submitted on that channel; submission times are never edited.',
  },
  entity_profile_missing: {
    status: 409,
    message:
      'No entity profile is configured: add the entity: section to ensuresec.yaml (see docs/incidents.md).',
  },
  notice_not_retryable: {
    status: 409,
    message: 'Only a failed or dead notice can be retried; this one is pending, being sent or delivered.',
  },
  payload_too_large: { status: 413, message: 'The request body is larger than the configured limit.' },
  unsupported_media_type: {
    status: 415,
    message: 'The content type is not supported; send application/json.',
  },
  rate_limited: {
    status: 429,
    message: 'Too many requests; retry after the time in the Retry-After header.',
  },
  headers_too_large: { status: 431, message: 'The request headers are larger than the configured limit.' },
  account_disabled: { status: 403, message: 'The account is disabled; ask an administrator to enable it.' },
  password_change_required: {
    status: 403,
    message: 'The password must be changed first: POST /api/v1/auth/password, then retry.',
  },
  totp_enrolment_required: {
    status: 403,
    message:
      'Administrators must enrol a second factor first: POST /api/v1/auth/totp/setup, then /auth/totp/enable.',
  },
  request_blocked: {
    status: 403,
    message: 'The request was blocked by a security rule; quote the request id if you think this is wrong.',
  },
  mode_lockdown: {
    status: 403,
    message: 'The shop is in lockdown: only allow-listed networks may connect for now; try again later.',
  },
  challenge_required: {
    status: 403,
    message:
      'Solve the proof-of-work challenge first (a browser does it by itself; scripts: see details), then retry.',
  },
  challenge_failed: {
    status: 403,
    message:
      'The challenge answer is wrong, expired, already used or for another client; fetch a new challenge.',
  },
  mode_unknown: {
    status: 404,
    message: 'No fail-safe mode has that name; GET /api/v1/modes lists the defined modes.',
  },
  playbook_unknown: {
    status: 404,
    message: 'No loaded playbook has that name; GET /api/v1/playbooks lists them and their load problems.',
  },
  playbook_run_not_waiting: {
    status: 409,
    message:
      'The playbook run does not wait for an approval (already decided, timed out or never asked); see its steps.',
  },
  request_timeout: { status: 408, message: 'The request was not received in time; send it again, faster.' },
  // --- server and upstream faults (5xx) ---
  internal: { status: 500, message: 'An internal error occurred; it has been logged with the request id.' },
  method_not_implemented: {
    status: 501,
    message: 'The gateway does not implement this method (unknown methods and CONNECT are not proxied).',
  },
  playbook_step_failed: {
    status: 500,
    message:
      'A playbook step failed; the run records which step and why, and went on or stopped as its onError says.',
  },
  shop_call_failed: {
    status: 502,
    message:
      "The shop did not accept the playbook's call: check playbooks.shop (url, secret) and the shop's endpoint.",
  },
  upstream_unavailable: { status: 502, message: 'The protected shop could not be reached.' },
  not_ready: { status: 503, message: 'The service is starting or a dependency is unavailable.' },
  mode_in_force: {
    status: 503,
    message: 'A fail-safe mode pauses this part of the shop; retry after the time in the Retry-After header.',
  },
  upstream_timeout: { status: 504, message: 'The protected shop did not answer in time.' },
  version_not_supported: { status: 505, message: 'The HTTP version is not supported; use HTTP/1.1.' },
  // --- start-up and configuration (CLI exit, never HTTP) ---
  config_invalid: { status: 500, message: 'The configuration is invalid; see the named key.' },
  config_not_found: { status: 500, message: 'The configuration file does not exist.' },
  data_dir_unwritable: {
    status: 500,
    message: 'The data directory cannot be written; check its path and permissions.',
  },
  server_unreachable: {
    status: 500,
    message: 'No Ensuresec server answered; start one with `ensuresec start` or pass --url.',
  },
  store_migration_failed: {
    status: 500,
    message: 'The database migration failed; the store was left unchanged.',
  },
  notice_channel_unconfigured: {
    status: 500,
    message:
      'The notice channel is not configured: set notices.smtp (email) or the partner in ensuresec.yaml.',
  },
  port_in_use: { status: 500, message: 'The port is already in use; choose another one in ensuresec.yaml.' },
  ingest_file_unreadable: {
    status: 500,
    message: 'The log file cannot be read; check its path, its permissions and that it is a file.',
  },
  ledger_verification_failed: {
    status: 500,
    message: 'A ledger proof or checkpoint did not verify: do not trust what it claims.',
  },
  scan_target_invalid: {
    status: 400,
    message: "The scan target is not an http(s) URL; give the shop's address, e.g. https://shop.example/.",
  },
  scan_not_authorised: {
    status: 403,
    message:
      'Active scanning sends attacks: confirm you are authorised to test this target (--i-am-authorised), or scan without --active.',
  },
  scan_recipe_invalid: {
    status: 400,
    message:
      'The login recipe cannot be used; the detail names the file and each problem (see docs/scanner.md, login recipes).',
  },
  scan_key_invalid: {
    status: 400,
    message:
      'The certificate key is missing or not an Ed25519 JWK; make a pair with `ensuresec cert keygen`.',
  },
  certificate_invalid: {
    status: 400,
    message:
      'The scan certificate does not verify: do not trust what it claims (the detail says which check failed).',
  },
  certificate_expired: {
    status: 400,
    message: 'The scan certificate has expired: scan the shop again for a new one.',
  },
  sbom_no_lockfile: {
    status: 400,
    message:
      'No lockfile to build an SBOM from: give the directory holding package-lock.json, yarn.lock, pnpm-lock.yaml or composer.lock.',
  },
  sbom_lockfile_invalid: {
    status: 400,
    message:
      'A lockfile cannot be read (the detail says which and why); regenerate it with its package manager.',
  },
  osv_source_invalid: {
    status: 400,
    message:
      'The vulnerability source is unusable: --osv-dir must be a directory of OSV JSON files, or --online must reach the OSV API.',
  },
  ledger_witness_refused: {
    status: 500,
    message: 'The witness refused to cosign: the log is not consistent with what it showed before.',
  },
  virtual_patch_invalid: {
    status: 400,
    message:
      'The text is not a set of virtual patches as `ensuresec scan --virtual-patches` writes them; the detail names the line and why.',
  },
  waf_unavailable: {
    status: 409,
    message:
      'This server runs no WAF to load virtual patches into: enable the gateway with waf.crs set and waf.mode not Off.',
  },
  certificate_revoked: {
    status: 400,
    message:
      'The scan certificate was revoked by its issuer: do not trust what it claims (the detail says why).',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ErrorBody {
  error: { code: ErrorCode; message: string; detail?: string; details?: unknown; requestId?: string };
}

export class EnsuresecError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, options: { detail?: string; details?: unknown; cause?: unknown } = {}) {
    const entry = ERROR_CATALOGUE[code];
    super(options.detail ? `${entry.message} ${options.detail}` : entry.message, { cause: options.cause });
    this.name = 'EnsuresecError';
    this.code = code;
    this.status = entry.status;
    this.detail = options.detail;
    this.details = options.details;
  }

  toBody(requestId?: string): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: ERROR_CATALOGUE[this.code].message } };
    if (this.detail) body.error.detail = this.detail;
    if (this.details !== undefined) body.error.details = this.details;
    if (requestId) body.error.requestId = requestId;
    return body;
  }
}

export function isEnsuresecError(value: unknown): value is EnsuresecError {
  return value instanceof EnsuresecError;
}

export function errorBody(code: ErrorCode, detail?: string, requestId?: string): ErrorBody {
  return new EnsuresecError(code, detail === undefined ? {} : { detail }).toBody(requestId);
}
