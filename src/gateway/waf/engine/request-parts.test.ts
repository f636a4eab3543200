/**
 * The URI variables (gateway/waf/engine) as ModSecurity v3's Transaction::processURI sets them:
 * the path variables from the percent-decoded target, QUERY_STRING from the raw one.
 */
import { describe, expect, it } from 'vitest';
import { splitUri, uriDecode } from './request-parts.js';

describe('splitUri', () => {
  it('decodes the path variables and keeps the query string raw', () => {
    expect(splitUri('/get/array_diff%20%28x?a=%27b')).toEqual({
      uri: "/get/array_diff (x?a='b",
      filename: '/get/array_diff (x',
      basename: 'array_diff (x',
      queryString: 'a=%27b',
    });
  });

  it('splits the path at the first ? of the decoded target, as ModSecurity does', () => {
    const parts = splitUri('/a%3Fb');
    expect(parts.filename).toBe('/a');
    expect(parts.queryString).toBe('');
  });

  it('drops scheme and authority of an absolute-form target only when a path follows', () => {
    expect(splitUri('http://localhost/x?y=1')).toMatchObject({
      uri: '/x?y=1',
      filename: '/x',
      queryString: 'y=1',
    });
    expect(splitUri('http://localhost')).toMatchObject({ uri: 'http://localhost', filename: '/' });
  });
});

describe('uriDecode', () => {
  it('decodes valid %XX, keeps broken escapes and +', () => {
    expect(uriDecode('a%41%4a+%zz%4')).toBe('aAJ+%zz%4');
    expect(uriDecode('%00%ff')).toBe('\u0000\u00ff');
  });
});
