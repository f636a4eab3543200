import { describe, expect, it } from 'vitest';
import { createWafEngine, loadRuleText } from '../index.js';

const RULES = `
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/xml" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:3,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule REQUEST_HEADERS:X-Force "@streq 1" "id:2,phase:1,pass,nolog,ctl:forceRequestBodyVariable=On"
SecRule REQUEST_BODY "@contains evil" "id:10,phase:2,pass,log,msg:'raw body'"
SecRule XML:/* "@contains evil" "id:11,phase:2,pass,log,msg:'xml text'"
`;

function firedIds(contentType: string, body: string, extra: Array<[string, string]> = []): number[] {
  const engine = createWafEngine(loadRuleText(RULES, 'inline.conf'), { detectJsonAndXmlBodies: false });
  const tx = engine.newTransaction({
    remoteAddr: '127.0.0.1',
    method: 'POST',
    uri: '/',
    protocol: 'HTTP/1.1',
    headers: [['Content-Type', contentType], ['Content-Length', String(body.length)], ...extra],
  });
  tx.processRequestHeaders();
  tx.processRequestBody(body);
  return tx.processLogging().matchedRules.map((match) => match.id);
}

describe('REQUEST_BODY', () => {
  it('holds the raw body for the URLENCODED processor and for bodies no processor claims', () => {
    expect(firedIds('application/x-www-form-urlencoded', 'a=evil')).toContain(10);
    expect(firedIds('application/octet-stream', 'evil bytes')).toContain(10);
  });

  it('is empty when the XML processor parses the body, which its own variables expose', () => {
    const fired = firedIds('application/xml', '<a><evil-element>harmless</evil-element><b>evil</b></a>');
    expect(fired).not.toContain(10);
    expect(fired).toContain(11);
  });

  it('holds the raw body for the JSON processor too, beside the ARGS it extracts (CRS 934210 reads it)', () => {
    expect(firedIds('application/json', '{"evil__contained_by":[1]}')).toContain(10);
  });

  it('holds the raw body again when a rule forces it', () => {
    expect(firedIds('application/xml', '<a>evil</a>', [['X-Force', '1']])).toContain(10);
  });
});
