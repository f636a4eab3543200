import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { followingCounter } from './following-counter.js';

function follow(zeroFromFirstScrape: boolean) {
  const registry = new Registry();
  const values = { a: 0, b: 0 };
  followingCounter(
    registry,
    'things_total',
    'Things.',
    ['source'],
    () => Object.entries(values).map(([source, value]) => ({ labels: { source }, value })),
    { zeroFromFirstScrape },
  );
  return { registry, values };
}

describe('following counter', () => {
  it('adds what each series grew by since the last scrape', async () => {
    const { registry, values } = follow(false);
    values.a = 3;
    expect(await registry.metrics()).toContain('things_total{source="a"} 3');
    values.a = 5;
    expect(await registry.metrics()).toContain('things_total{source="a"} 5');
  });

  it('leaves a series at 0 out unless asked to show it from the first scrape', async () => {
    const hidden = follow(false);
    hidden.values.a = 1;
    expect(await hidden.registry.metrics()).not.toContain('source="b"');
    const shown = follow(true);
    shown.values.a = 1;
    const text = await shown.registry.metrics();
    expect(text).toContain('things_total{source="b"} 0');
    expect(text).toContain('things_total{source="a"} 1');
  });

  it('never goes back when the followed number does (a restarted source)', async () => {
    const { registry, values } = follow(true);
    values.a = 4;
    await registry.metrics();
    values.a = 1;
    expect(await registry.metrics()).toContain('things_total{source="a"} 4');
    values.a = 2;
    expect(await registry.metrics()).toContain('things_total{source="a"} 5');
  });
});
