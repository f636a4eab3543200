/**
 * Tests of the CRS regression runner's parts: the go-ftw YAML reader, the request builder and
 * raw-socket sender, the /reflect backend, the marker log reading, and one stage run end to
 * end through the real gateway with the stand-in engine.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../src/gateway/waf/seclang/loader.js';
import { judgeStage } from './checks.js';
import { Harness } from './harness.js';
import { idsBetweenMarkers, MatchLogRouter, ruleIdsIn, WorkerMatchLog } from './match-log.js';
import { parseOverrides } from './overrides.js';
import { extractResponse, sendRawRequest } from './raw-client.js';
import { parseTestFile, readTestTree } from './reader.js';
import { sniffContentType, startReflectBackend, type ReflectBackend } from './reflect-backend.js';
import { buildRequestBytes, encodeFormData } from './request-builder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
const fixture = (file: string) => readFileSync(path.join(fixtures, file), 'utf8');
const readFixture = (file: string) => parseTestFile(fixture(file), file);

describe('go-ftw YAML reader', () => {
  it('reads a CRS test with an encoded_request', () => {
    const { tests, malformed, problems } = readFixture('REQUEST-944-APPLICATION-ATTACK-JAVA/944200.yaml');
    expect(malformed).toEqual([]);
    expect(problems).toEqual([]);
    expect(tests).toHaveLength(1);
    const [test] = tests;
    expect(test?.id).toBe('944200-1');
    expect(test?.ruleFile).toBe('REQUEST-944-APPLICATION-ATTACK-JAVA');
    expect(test?.stages[0]?.input.encoded_request).toMatch(/^UE9TVCAv/);
    expect(test?.stages[0]?.expect.expectIds).toEqual(['944200']);
  });

  it('keeps header values verbatim and reads autocomplete_headers and escaped data', () => {
    const [test] = readFixture('REQUEST-920-PROTOCOL-ENFORCEMENT/920181.yaml').tests;
    const input = test!.stages[0]!.input;
    expect(input.autocomplete_headers).toBe(false);
    expect(input.headers).toContainEqual(['Content-Length', '7']);
    expect(input.data).toBe('7\r\nfoo=bar\r\n0\r\n\r\n');
    expect(test!.stages[0]!.expect).toMatchObject({ statuses: [200], noExpectIds: ['920181'] });
  });

  it('reports malformed tests and still reads the good ones of the same file', () => {
    const result = readFixture('REQUEST-999-BROKEN/999001.yaml');
    expect(result.tests.map((t) => t.id)).toEqual(['999001-1']);
    expect(result.tests[0]?.stages[0]?.input.headers).toContainEqual(['Content-Length', '0x1F']);
    expect(result.malformed.map((m) => m.id)).toEqual(['999001-2', '999001-3']);
    expect(result.malformed[1]?.message).toMatch(/choose one of data/);
  });

  it('reports a file that is not YAML and notes one without tests, never throwing', () => {
    expect(readFixture('REQUEST-999-BROKEN/999002.yaml').problems[0]).toMatchObject({ kind: 'invalid' });
    expect(readFixture('REQUEST-999-BROKEN/999003.yaml').problems[0]).toMatchObject({ kind: 'empty' });
    expect(parseTestFile('rule_id: [', 'x.yaml').problems[0]?.kind).toBe('invalid');
    expect(parseTestFile('- just\n- a list\n', 'x.yaml').problems[0]?.kind).toBe('invalid');
  });

  it('walks a tree of test files', () => {
    const tree = readTestTree(fixtures);
    expect(tree.tests.map((t) => t.id).sort()).toEqual(['920181-1', '944200-1', '955110-1', '999001-1']);
    expect(tree.problems.map((p) => p.kind).sort()).toEqual(['empty', 'invalid']);
  });
});

describe('request builder', () => {
  it('sends a request as written when autocomplete_headers is false', () => {
    const [test] = readFixture('REQUEST-920-PROTOCOL-ENFORCEMENT/920181.yaml').tests;
    const text = buildRequestBytes(test!.stages[0]!.input).toString('latin1');
    expect(text.startsWith('POST /anything HTTP/1.1\r\nHost: localhost\r\n')).toBe(true);
    expect(text).not.toMatch(/Connection:/);
    expect(text.match(/Content-Length/g)).toHaveLength(1);
    expect(text.endsWith('\r\n\r\n7\r\nfoo=bar\r\n0\r\n\r\n')).toBe(true);
  });

  it('completes headers and form-encodes plain key=value data as go-ftw does', () => {
    expect(encodeFormData('a=b c&d=<x>')).toBe('a=b+c&d=%3Cx%3E');
    expect(encodeFormData('already%20escaped')).toBe('already%20escaped');
    const text = buildRequestBytes({
      method: 'POST',
      uri: '/',
      headers: [['Host', 'localhost']],
      data: 'q=1 2',
    }).toString();
    expect(text).toBe(
      'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
        'Connection: close\r\nContent-Length: 5\r\n\r\nq=1+2',
    );
  });

  it('gives multipart bodies CRLF line ends and expands repeat templates', () => {
    const text = buildRequestBytes({
      method: 'POST',
      headers: [['Content-Type', 'multipart/form-data; boundary=b']],
      data: '--b\n{{ "1" | repeat 3 }}\n--b--\n',
    }).toString();
    expect(text.endsWith('\r\n\r\n--b\r\n111\r\n--b--\r\n')).toBe(true);
  });
});

describe('raw-socket sender', () => {
  let server: Server;
  let port = 0;
  let received: Buffer = Buffer.alloc(0);
  const [encodedTest] = readFixture('REQUEST-944-APPLICATION-ATTACK-JAVA/944200.yaml').tests;
  const expected = Buffer.from(encodedTest!.stages[0]!.input.encoded_request!, 'base64');

  beforeAll(async () => {
    server = createServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received = Buffer.concat(chunks);
        if (received.length >= expected.length) socket.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('delivers an encoded_request byte for byte', async () => {
    const outcome = await sendRawRequest(buildRequestBytes(encodedTest!.stages[0]!.input), {
      host: '127.0.0.1',
      port,
      timeoutMs: 2_000,
    });
    expect(received.equals(expected)).toBe(true);
    expect(expected.includes(Buffer.from([0xac, 0xed, 0x00, 0x05]))).toBe(true);
    expect(outcome.ok && outcome.response.body.toString()).toBe('ok');
  });

  it('reads chunked answers, skips 100 Continue, and waits for the rest', () => {
    const chunked = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    );
    const response = extractResponse(chunked, false, false);
    expect(
      response !== null && response !== 'invalid' && [response.status, response.body.toString()],
    ).toEqual([200, 'abc']);
    expect(
      extractResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab'), false, false),
    ).toBeNull();
    expect(extractResponse(Buffer.from('garbage\r\n\r\n'), false, false)).toBe('invalid');
  });

  it('reports a refused connection as an error, not a throw', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const outcome = await sendRawRequest(Buffer.from('GET / HTTP/1.1\r\n\r\n'), {
      host: '127.0.0.1',
      port: freePort,
      timeoutMs: 1_000,
    });
    expect(outcome.ok).toBe(false);
  });
});

describe('reflect backend', () => {
  let backend: ReflectBackend;
  const url = (p: string) => `http://127.0.0.1:${backend.port}${p}`;
  beforeAll(async () => {
    backend = await startReflectBackend();
  });
  afterAll(() => backend.close());

  it('answers with the status, headers and body the JSON asks for', async () => {
    const spec = {
      status: 503,
      headers: { 'X-Powered-By': 'PHP/5.4', 'Bad Header': 'x' },
      body: '<?php echo 1 ?>',
    };
    const response = await fetch(url('/reflect'), { method: 'POST', body: JSON.stringify(spec) });
    expect(response.status).toBe(503);
    expect(response.headers.get('x-powered-by')).toBe('PHP/5.4');
    expect(await response.text()).toBe('<?php echo 1 ?>');
  });

  it('decodes encodedBody and refuses a bad status or bad JSON', async () => {
    const encoded = await fetch(url('/reflect'), {
      method: 'POST',
      body: JSON.stringify({ encodedBody: 'aGk=' }),
    });
    expect([encoded.status, await encoded.text()]).toEqual([200, 'hi']);
    const badStatus = await fetch(url('/reflect'), { method: 'POST', body: '{"status": 700}' });
    expect(badStatus.status).toBe(400);
    const badJson = await fetch(url('/reflect'), { method: 'POST', body: '{' });
    expect(badJson.status).toBe(400);
  });

  it('answers any other request 200 with an empty body', async () => {
    const response = await fetch(url('/status/200?x=1'), { method: 'PUT', body: 'ignored' });
    expect([response.status, await response.text()]).toEqual([200, '']);
  });
});

describe('marker log reading', () => {
  const line = (id: string, msg: string) => `ModSecurity: Warning. [id "${id}"] [msg "${msg}"]`;

  it('reads the rule ids between the two marker lines', () => {
    const log = new WorkerMatchLog();
    for (const l of [
      line('920100', 'before'),
      line('999999', 'uuid-1'),
      line('942100', 'SQLi'),
      line('942100', 'again'),
    ])
      log.append(l);
    log.append(`${line('949110', 'score')} ${line('980170', 'corr')}`);
    log.append(line('999999', 'uuid-1'));
    log.append(line('941100', 'after'));
    expect(idsBetweenMarkers(log, 'uuid-1')).toEqual(['942100', '949110', '980170']);
    expect(idsBetweenMarkers(log, 'uuid-2')).toBeNull();
    expect(ruleIdsIn(['no id here'])).toEqual([]);
  });

  it('files lines under the worker whose gateway saw the request', () => {
    const router = new MatchLogRouter(2);
    router.claim('req_a', 0);
    router.claim('req_b', 1);
    router.onMatchLine(line('1', 'a'), 'req_a');
    router.onMatchLine(line('2', 'b'), 'req_b');
    router.onMatchLine(line('3', 'who'), 'req_unknown');
    router.onMatchLine(line('4', 'no id'));
    expect(router.workers.map((w) => w.lines().length)).toEqual([1, 1]);
    expect(router.unattributed).toHaveLength(2);
    expect(router.sawLineWithoutRequestId).toBe(true);
  });

  it('judges a stage from the lines as go-ftw does', () => {
    const [test] = readFixture('RESPONSE-955-WEB-SHELLS/955110.yaml').tests;
    const stage = test!.stages[0]!;
    const ok = {
      ok: true as const,
      response: { status: 200, headers: [], body: Buffer.alloc(0), raw: Buffer.alloc(0) },
    };
    expect(judgeStage(stage, ok, [line('955110', 'r57')]).passed).toBe(true);
    expect(judgeStage(stage, ok, []).reason).toBe('expected 955110 to fire; fired: none');
    expect(judgeStage(stage, { ok: false, error: 'reset', received: Buffer.alloc(0) }, []).passed).toBe(
      false,
    );
  });
});

describe('test configuration', () => {
  it('loads before the CRS setup and rules, as DetectionOnly with the marker rule', () => {
    const crsDir = path.resolve(here, '..', '..', '..', 'shared', 'crs');
    const ruleSet = loadRuleFiles([
      path.join(here, 'crs-test.conf'),
      path.join(crsDir, 'crs-setup.conf.example'),
      path.join(crsDir, 'rules', '*.conf'),
    ]);
    expect(ruleSet.settings).toMatchObject({ ruleEngine: 'DetectionOnly', responseBodyAccess: true });
    const ids = ruleSet.rules.flatMap((rule) =>
      rule.actions.filter((a) => a.name === 'id').map((a) => a.param),
    );
    expect(ids).toEqual(expect.arrayContaining(['999999', '900000', '900330', '942100']));
  });
});

describe('overrides file', () => {
  it('maps test ids to one-line reasons and refuses a skip without a reason', () => {
    expect(parseOverrides('skip:\n  920100-5: "node rejects it"\n', 'o.yaml').get('920100-5')).toBe(
      'node rejects it',
    );
    expect(parseOverrides('skip:\n', 'o.yaml').size).toBe(0);
    expect(() => parseOverrides('skip:\n  920100-5: ""\n', 'o.yaml')).toThrow(/reason/);
    expect(() => parseOverrides('skip:\n  nonsense: "x"\n', 'o.yaml')).toThrow(/920100-5/);
  });
});

describe('a stage through the real gateway (stand-in engine)', () => {
  const harness = new Harness({
    repoRoot: path.resolve(here, '..', '..'),
    ruleFiles: [],
    useWaf: false,
    concurrency: 1,
    timeoutMs: 3_000,
  });
  beforeAll(() => harness.start());
  afterAll(() => harness.close());

  it('finds its marker lines, reaches inspection, and fails a test that needs a rule to fire', async () => {
    expect(await harness.probe()).toBe('ok');
    const [test] = readFixture('RESPONSE-955-WEB-SHELLS/955110.yaml').tests;
    const result = await harness.runTest(test!, 0);
    expect(result.status).toBe('failed');
    expect(result.reason).toBe('expected 955110 to fire; fired: none');
    expect(result.stages[0]?.status).toBe(200);
    expect(result.stages[0]?.inspectedRequestIds).toHaveLength(1);
  });

  it('sees a request node refuses reach inspection through the lenient front, then its 400', async () => {
    const [test] = readFixture('REQUEST-920-PROTOCOL-ENFORCEMENT/920181.yaml').tests;
    const result = await harness.runTest(test!, 0);
    expect(result.stages[0]).toMatchObject({ status: 400 });
    expect(result.stages[0]?.inspectedRequestIds).toHaveLength(1);
    expect(result.stages[0]?.rejectedBy).toBeUndefined();
  });
});

describe('reflected content type', () => {
  it('is sniffed as Go does when the test gives none, so response rules see the body', () => {
    expect(sniffContentType(Buffer.from('ViewStateException: Invalid viewstate'))).toBe(
      'text/plain; charset=utf-8',
    );
    expect(sniffContentType(Buffer.from('  <html><body>Index of /</body></html>'))).toBe(
      'text/html; charset=utf-8',
    );
    expect(sniffContentType(Buffer.from('<?xml version="1.0"?><a/>'))).toBe('text/xml; charset=utf-8');
    expect(sniffContentType(Buffer.from([0x00, 0x01, 0x02, 0x41]))).toBe('application/octet-stream');
    expect(sniffContentType(Buffer.from('<bogus>'))).toBe('text/plain; charset=utf-8');
  });
});
