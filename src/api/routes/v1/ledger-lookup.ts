/**
 * Ledger look-ups for the dashboard and partners (api/v1): the verifier keys, so signatures can
 * be checked where the checkpoint is read (the log's note keys, current first, and the trusted
 * witnesses' `cosignature/v1` keys, in the C2SP verifier key format); and the entries that
 * logged one record, so "is this record in the log?" starts from a record id. A partner
 * compares the keys with the ones it was given out of band (`<dataDir>/ledger-log.pub`)
 * before trusting what they verify.
 */
import { z } from 'zod';
import { encodeBase64 } from '../../../ledger/index.js';
import { defineRoute } from '../../route.js';

const keys = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/keys',
  summary: "The log's verifier keys (current first) and the trusted witnesses' cosignature/v1 keys",
  access: 'read:partner',
  response: { schema: z.object({ log: z.array(z.string()), witnesses: z.array(z.string()) }) },
  async handler({ deps }) {
    return { log: [...deps.ledger.verifierKeys], witnesses: [...deps.ledger.witnessKeys] };
  },
});

const forRecord = defineRoute('ledger', {
  method: 'GET',
  url: '/ledger/entries',
  summary: 'The entries that logged one record (`recordId`, e.g. `alr_…`), oldest first, without their text',
  access: 'read:partner',
  query: z.strictObject({ recordId: z.string().min(1).max(256) }),
  response: {
    schema: z.object({
      items: z.array(
        z.object({ index: z.number(), kind: z.string(), createdAt: z.string(), leafHash: z.string() }),
      ),
    }),
  },
  async handler({ query, deps }) {
    const rows = await deps.store.ledger.entriesForRecord(query.recordId);
    return {
      items: rows.map((row) => ({
        index: row.index,
        kind: row.kind,
        createdAt: new Date(row.createdMs).toISOString(),
        leafHash: encodeBase64(row.leafHash),
      })),
    };
  },
});

export const ledgerLookupRoutes = [keys, forRecord];
