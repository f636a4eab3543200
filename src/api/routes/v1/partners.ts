/**
 * The partner directory (api/v1): the payment providers, carriers, shops and CSIRTs notices go
 * to, as `partners:` in ensuresec.yaml names them, with their channels (email, signed webhook).
 * Read-only: partners are configured in the file. Never a webhook secret (the directory holds none).
 */
import { z } from 'zod';
import { PARTNER_ROLES } from '../../../response/notices/partners.js';
import { defineRoute } from '../../route.js';

const list = defineRoute('partners', {
  method: 'GET',
  url: '/partners',
  summary: 'The partners notices go to and their channels (read-only; configured in ensuresec.yaml)',
  access: 'read',
  response: {
    schema: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          role: z.enum(PARTNER_ROLES),
          channels: z.array(z.enum(['email', 'webhook'])),
          email: z.string().optional(),
          webhookUrl: z.string().optional(),
        }),
      ),
    }),
  },
  async handler({ deps }) {
    return {
      items: (deps.partners ?? []).map((partner) => ({
        id: partner.id,
        name: partner.name,
        role: partner.role,
        channels: [
          ...(partner.email ? (['email'] as const) : []),
          ...(partner.webhookUrl ? (['webhook'] as const) : []),
        ],
        ...(partner.email ? { email: partner.email } : {}),
        ...(partner.webhookUrl ? { webhookUrl: partner.webhookUrl } : {}),
      })),
    };
  },
});

export const partnerDirectoryRoutes = [list];
