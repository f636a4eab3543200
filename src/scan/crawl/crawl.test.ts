import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOpenApi, parseRobots, parseSitemap } from './discovery.js';
import { parseHtmlPage } from './html.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('HTML page reading', () => {
  const page = parseHtmlPage(fixture('crawl-page.html'), 'http://shop.test/start');

  it('resolves links against <base>, drops fragments and non-http schemes', () => {
    expect(page.links).toEqual([
      'http://shop.test/shop/products/1',
      'http://shop.test/about',
      'https://other.example/',
    ]);
  });

  it('reads forms with their method, action and fields (not the submit buttons)', () => {
    expect(page.forms).toEqual([
      {
        action: 'http://shop.test/search',
        method: 'GET',
        fields: [{ name: 'q', type: 'text', value: 'tea' }],
      },
      {
        action: 'http://shop.test/start',
        method: 'POST',
        fields: [
          { name: '_csrf', type: 'hidden', value: 't0k' },
          { name: 'email', type: 'email', value: '' },
          { name: 'password', type: 'password', value: '' },
          { name: 'note', type: 'textarea', value: 'hi' },
          { name: 'country', type: 'select', value: 'fr' },
        ],
      },
    ]);
  });

  it('lists scripts with their integrity attributes and inline text', () => {
    expect(page.scripts).toEqual([
      { src: 'https://cdn.example.net/lib.js', integrity: 'sha384-abc', crossorigin: 'anonymous', text: '' },
      { src: null, integrity: null, crossorigin: null, text: 'window.inline = 1;' },
    ]);
  });

  it('does not throw on binary junk', () => {
    const junk = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 31) % 256)).toString('utf8');
    expect(() => parseHtmlPage(junk + '<a href="/x">', 'http://shop.test/')).not.toThrow();
  });
});

describe('discovery documents', () => {
  it('reads robots.txt paths (literal prefixes) and sitemaps', () => {
    expect(parseRobots(fixture('robots.txt'), 'http://shop.test')).toEqual({
      paths: ['http://shop.test/admin/', 'http://shop.test/', 'http://shop.test/public'],
      sitemaps: ['http://shop.test/sitemap-index.xml'],
    });
  });

  it('reads sitemap pages and sitemap indexes', () => {
    expect(parseSitemap(fixture('sitemap.xml'), 'http://shop.test').pages).toEqual([
      'http://shop.test/products/kettle',
      'http://shop.test/products/teapot',
    ]);
    expect(parseSitemap(fixture('sitemap-index.xml'), 'http://shop.test').sitemaps).toEqual([
      'http://shop.test/sitemap-products.xml',
    ]);
  });

  it('reads OpenAPI operations, filling path parameters from examples', () => {
    expect(parseOpenApi(fixture('openapi.yaml'), 'http://shop.test')).toEqual([
      { method: 'GET', url: 'http://shop.test/api/products', queryParameters: ['q'] },
      { method: 'GET', url: 'http://shop.test/api/products/kettle', queryParameters: [] },
      { method: 'POST', url: 'http://shop.test/api/cart', queryParameters: [] },
    ]);
    expect(parseOpenApi('not: [an, api]', 'http://shop.test')).toEqual([]);
  });
});
