/**
 * The JSON audit-log record of a transaction (gateway/waf/engine), in ModSecurity v3's JSON
 * layout so existing tooling reads it: request line and headers, response status and headers,
 * the producer, and one message per matched rule.
 */
import type { AuditRecord } from './results.js';
import type { WafTransaction } from './transaction.js';

function headerRecord(pairs: Array<[string, string]>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of pairs) record[name] = name in record ? `${record[name]}, ${value}` : value;
  return record;
}

export function buildAuditRecord(tx: WafTransaction, responseHeaders: Array<[string, string]>): AuditRecord {
  const { request } = tx;
  return {
    transaction: {
      client_ip: request.remoteAddr,
      client_port: request.remotePort ?? 0,
      host_ip: request.serverAddr ?? '',
      host_port: request.serverPort ?? 0,
      server_id: tx.context.settings.serverId,
      time_stamp: new Date(tx.startedAtMs).toISOString(),
      unique_id: tx.uniqueId,
      request: {
        method: request.method,
        http_version: request.protocol.replace(/^HTTP\//, ''),
        uri: request.uri,
        headers: headerRecord(request.headers),
      },
      response: {
        http_code: tx.interruption?.status ?? tx.responseStatus,
        headers: headerRecord(responseHeaders),
      },
      producer: {
        modsecurity: 'Ensuresec WAF engine',
        connector: 'ensuresec-gateway',
        secrules_engine: tx.controls.ruleEngine === 'On' ? 'Enabled' : tx.controls.ruleEngine,
        components: tx.context.settings.componentSignatures,
      },
      messages: tx.matches
        .filter((match) => match.auditlog)
        .map((match) => ({
          message: match.msg,
          details: {
            match: match.match,
            reference: '',
            ruleId: String(match.id),
            file: match.file,
            lineNumber: String(match.line),
            data: match.logdata,
            severity: match.severity === undefined ? '' : String(match.severity),
            ver: match.ver ?? '',
            rev: match.rev ?? '',
            tags: match.tags,
            maturity: match.maturity ?? '0',
            accuracy: match.accuracy ?? '0',
          },
        })),
    },
  };
}
