/**
 * Roles and what each may do (least privilege). admin: everything; analyst: reads and
 * security writes (decisions, alerts, incidents); viewer: reads; partner: the shared,
 * pseudonymised views meant for payment and delivery partners; source: a shop or log shipper
 * that only sends events (`POST /api/v1/events`) and reads nothing; gateway: a remote gateway
 * that only follows the decision and mode feeds (`GET /api/v1/decisions/feed`,
 * `GET /api/v1/modes/feed`), fetches the challenge key (`read:gateway-secrets`, which no
 * person's role but admin holds: with it one could mint challenge passes) and sends its events
 * (`write:events`). carrier: a carrier's or locker operator's backend that only sends delivery
 * events (`POST /api/v1/delivery/events`, `write:delivery-events`, which `source` also holds).
 */
export const ROLES = ['admin', 'analyst', 'viewer', 'partner', 'source', 'gateway', 'carrier'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'read',
  'read:partner',
  'read:decisions',
  'read:gateway-secrets',
  'write:security',
  'write:admin',
  'write:events',
  'write:delivery-events',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: [
    'read',
    'read:partner',
    'read:decisions',
    'read:gateway-secrets',
    'write:security',
    'write:admin',
    'write:events',
    'write:delivery-events',
  ],
  analyst: ['read', 'read:partner', 'read:decisions', 'write:security'],
  viewer: ['read', 'read:partner', 'read:decisions'],
  partner: ['read:partner'],
  source: ['write:events', 'write:delivery-events'],
  gateway: ['read:decisions', 'read:gateway-secrets', 'write:events'],
  carrier: ['write:delivery-events'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
