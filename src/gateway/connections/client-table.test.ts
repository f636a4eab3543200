import { describe, expect, it } from 'vitest';
import { ClientTable } from './client-table.js';
import { Histogram } from './histogram.js';

describe('client table', () => {
  it('stays bounded: a full table of busy clients leaves a new one untracked', () => {
    const table = new ClientTable(10, 5);
    for (let i = 0; i < 10; i++) {
      const client = table.enter(`198.51.100.${i}`, 0);
      if (client !== null) client.concurrent = 1;
    }
    expect(table.enter('203.0.113.1', 0)).toBeNull();
    expect(table.untracked).toBe(1);
    expect(table.size).toBe(10);
  });

  it('makes room by forgetting clients with no open connection', () => {
    const table = new ClientTable(10, 5);
    for (let i = 0; i < 10; i++) table.enter(`198.51.100.${i}`, 0);
    expect(table.enter('203.0.113.1', 0)).not.toBeNull();
    expect(table.size).toBeLessThanOrEqual(10);
    table.prune(1);
    expect(table.size).toBe(0);
  });

  it('refuses new connections past the burst, then refills at the rate', () => {
    const client = new ClientTable(10, 3).enter('203.0.113.2', 0);
    if (client === null) throw new Error('client not tracked');
    const ratePerMs = 2 / 1_000;
    const taken = [0, 1, 2, 3].map(() => client.takeNewConnection(0, ratePerMs, 3));
    expect(taken).toEqual([true, true, true, false]);
    expect(client.takeNewConnection(499, ratePerMs, 3)).toBe(false);
    expect(client.takeNewConnection(500, ratePerMs, 3)).toBe(true);
  });

  it('lets one flow event per reason through per interval, counting the closes it stands for', () => {
    const client = new ClientTable(10, 3).enter('203.0.113.3', 0);
    if (client === null) throw new Error('client not tracked');
    expect(client.flowEventDue('slow_body', 0, 1_000)).toBe(1);
    expect(client.flowEventDue('slow_body', 10, 1_000)).toBe(0);
    expect(client.flowEventDue('slow_body', 20, 1_000)).toBe(0);
    expect(client.flowEventDue('slow_headers', 30, 1_000)).toBe(1);
    expect(client.flowEventDue('slow_body', 1_500, 1_000)).toBe(3);
  });

  it('lists the clients holding the most connections', () => {
    const table = new ClientTable(100, 3);
    [3, 9, 1].forEach((open, i) => {
      const client = table.enter(`192.0.2.${i}`, 0);
      if (client !== null) client.concurrent = open;
    });
    expect(table.top(2).map((c) => [c.ip, c.concurrent])).toEqual([
      ['192.0.2.1', 9],
      ['192.0.2.0', 3],
    ]);
  });
});

describe('histogram', () => {
  it('counts each observation in the first bucket whose bound holds it', () => {
    const histogram = new Histogram([0.1, 1]);
    [0.05, 0.1, 0.5, 7, -1].forEach((v) => histogram.observe(v));
    expect(histogram.snapshot()).toMatchObject({ counts: [2, 1, 1], count: 4 });
    expect(histogram.snapshot().sum).toBeCloseTo(7.65);
  });
});
