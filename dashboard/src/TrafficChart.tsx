/**
 * Requests and blocked requests over time, drawn by uPlot (loaded lazily with the overview's
 * chart, so the first page does not wait for it). The colours come from the theme's CSS
 * variables and the chart is drawn again when the theme or the width changes. The figures are
 * also in a table below the chart, for screen readers and for reading exact numbers.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Traffic } from './api';
import { DataTable } from './parts';

const HEIGHT = 220;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function options(width: number): uPlot.Options {
  const axis = {
    stroke: cssVar('--muted'),
    grid: { stroke: cssVar('--border'), width: 1 },
    ticks: { show: false },
  };
  return {
    width,
    height: HEIGHT,
    cursor: { drag: { x: false, y: false } },
    legend: { show: true, live: true },
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    axes: [axis, { ...axis, size: 48 }],
    series: [
      {},
      { label: 'Requests', stroke: cssVar('--accent'), width: 2, points: { show: false } },
      { label: 'Blocked', stroke: cssVar('--critical'), width: 2, dash: [6, 3], points: { show: false } },
    ],
  };
}

function dataOf(traffic: Traffic): uPlot.AlignedData {
  return [
    traffic.buckets.map((bucket) => bucket.startMs / 1000),
    traffic.buckets.map((bucket) => bucket.requests),
    traffic.buckets.map((bucket) => bucket.blocked),
  ];
}

/** Calls `handler` when the theme changes (the attribute, or the system preference). */
function onThemeChange(handler: () => void): () => void {
  const observer = new MutationObserver(handler);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  const media = matchMedia('(prefers-color-scheme: dark)');
  media.addEventListener('change', handler);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', handler);
  };
}

export default function TrafficChart({ traffic }: { traffic: Traffic }) {
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(traffic);
  latest.current = traffic;

  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const draw = () => {
      plot.current?.destroy();
      plot.current = new uPlot(options(Math.max(280, element.clientWidth)), dataOf(latest.current), element);
    };
    draw();
    const resize = new ResizeObserver(() =>
      plot.current?.setSize({ width: Math.max(280, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    const stopTheme = onThemeChange(draw);
    return () => {
      resize.disconnect();
      stopTheme();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(dataOf(traffic));
  }, [traffic]);

  const requests = traffic.buckets.reduce((sum, bucket) => sum + bucket.requests, 0);
  const blocked = traffic.buckets.reduce((sum, bucket) => sum + bucket.blocked, 0);
  const busiest = traffic.buckets
    .filter((bucket) => bucket.requests > 0)
    .slice(-10)
    .reverse();
  return (
    <figure className="chart">
      <div
        ref={holder}
        role="img"
        aria-label={`Requests and blocked requests over the last ${traffic.window}: ${requests} requests, ${blocked} blocked`}
        data-testid="traffic-chart"
      />
      <figcaption className="muted">
        <span data-testid="traffic-requests">{requests}</span> requests,{' '}
        <span data-testid="traffic-blocked">{blocked}</span> blocked (banned, throttled, rate limited,
        rejected or blocked by the WAF) in the last {traffic.window}, per {traffic.bucketMs / 60_000} min
      </figcaption>
      <details>
        <summary>The latest figures as a table</summary>
        {busiest.length === 0 ? (
          <p className="muted">No request in this window.</p>
        ) : (
          <DataTable compact columns={['From', 'Requests', 'Blocked']}>
            {busiest.map((bucket) => (
              <tr key={bucket.startMs}>
                <td>{new Date(bucket.startMs).toLocaleTimeString()}</td>
                <td className="num">{bucket.requests}</td>
                <td className="num">{bucket.blocked}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </details>
    </figure>
  );
}
