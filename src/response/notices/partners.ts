/**
 * The partners notices go to (response / notices): as `partners:` in ensuresec.yaml names
 * them, minus their webhook secrets, which only the webhook sender sees.
 */
export const PARTNER_ROLES = ['payment', 'carrier', 'shop', 'csirt'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

export interface PartnerDirectoryEntry {
  id: string;
  name: string;
  role: PartnerRole;
  email?: string | undefined;
  webhookUrl?: string | undefined;
  /** Kept for the day partner notices are translated; they are in English now. */
  language?: string | undefined;
}
