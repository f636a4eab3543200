/**
 * Delivery: the physical side on a plain map drawn in SVG from coordinates (no tile server):
 * parcels (at their last known place, a line to their destination), lockers, vans and the
 * delivery alerts (GET /delivery/overview, refreshed every 10 s). Clicking a parcel opens its
 * event timeline (GET /delivery/parcels/:id); an alert links to its page.
 */
import { useEffect, useMemo, useState } from 'react';
import { api, query, type Severity } from '../api';
import { formatTime } from '../format';
import { errorText, useNow } from '../hooks';
import { ErrorLine } from '../parts';

interface Point {
  lat: number;
  lon: number;
}

interface Overview {
  eventsRead: number;
  parcels: {
    parcelId: string;
    orderId?: string;
    carrier?: string;
    status: string;
    time: string;
    position?: Point;
    destination?: Point & { area?: string };
  }[];
  lockers: { lockerId: string; time: string; lastType: string; position?: Point }[];
  vehicles: { vehicleId: string; time: string; position: Point }[];
  alerts: {
    id: string;
    time: string;
    ruleId: string;
    title: string;
    severity: Severity;
    parcelId?: string;
    position?: Point;
  }[];
}

interface Timeline {
  parcelId: string;
  events: {
    id: string;
    time: string;
    type: string;
    source: string;
    position?: Point;
    state?: string;
    value?: number;
    unit?: string;
    lockerId?: string;
    vehicleId?: string;
    proof?: { photo: boolean; signature: boolean; gps: boolean };
  }[];
}

const WIDTH = 800;
const HEIGHT = 560;
const PAD = 24;
const WINDOWS = ['1h', '6h', '24h', '7d'] as const;

/** A projection of the points' bounding box onto the drawing, north up, metres kept square. */
function projection(points: Point[]): (p: Point) => { x: number; y: number } {
  if (points.length === 0) return () => ({ x: WIDTH / 2, y: HEIGHT / 2 });
  const lats = points.map((p) => p.lat);
  const lons = points.map((p) => p.lon);
  const [minLat, maxLat, minLon, maxLon] = [
    Math.min(...lats),
    Math.max(...lats),
    Math.min(...lons),
    Math.max(...lons),
  ];
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180);
  const spanX = Math.max((maxLon - minLon) * kx, 1e-6);
  const spanY = Math.max(maxLat - minLat, 1e-6);
  const scale = Math.min((WIDTH - 2 * PAD) / spanX, (HEIGHT - 2 * PAD) / spanY);
  const offsetX = (WIDTH - spanX * scale) / 2;
  const offsetY = (HEIGHT - spanY * scale) / 2;
  return (p) => ({
    x: offsetX + (p.lon - minLon) * kx * scale,
    y: HEIGHT - offsetY - (p.lat - minLat) * scale,
  });
}

export function DeliveryPage() {
  const [period, setPeriod] = useState<(typeof WINDOWS)[number]>('24h');
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState('');
  const [selected, setSelected] = useState<string | null>(null);
  const [timeline, setTimeline] = useState<Timeline | null>(null);
  const tick = useNow(10_000);

  useEffect(() => {
    let current = true;
    api<Overview>('GET', `/delivery/overview${query({ window: period })}`)
      .then((answer) => current && (setOverview(answer), setError('')))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [period, tick]);

  useEffect(() => {
    if (selected === null) return;
    let current = true;
    api<Timeline>('GET', `/delivery/parcels/${encodeURIComponent(selected)}${query({ window: period })}`)
      .then((answer) => current && setTimeline(answer))
      .catch((caught: unknown) => current && setError(errorText(caught)));
    return () => {
      current = false;
    };
  }, [selected, period]);

  const project = useMemo(() => {
    if (!overview) return projection([]);
    const points: Point[] = [
      ...overview.parcels.flatMap((p) =>
        [p.position, p.destination].filter((x): x is Point => x !== undefined),
      ),
      ...overview.lockers.flatMap((l) => (l.position ? [l.position] : [])),
      ...overview.vehicles.map((v) => v.position),
    ];
    return projection(points);
  }, [overview]);

  return (
    <section aria-labelledby="delivery-title">
      <h1 id="delivery-title">Delivery</h1>
      <form className="filters" onSubmit={(event) => event.preventDefault()}>
        <label>
          Window
          <select value={period} onChange={(event) => setPeriod(event.target.value as typeof period)}>
            {WINDOWS.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </label>
      </form>
      <ErrorLine error={error} />
      {!overview ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <p className="muted" data-testid="delivery-counts">
            {overview.parcels.length} parcels, {overview.lockers.length} lockers, {overview.vehicles.length}{' '}
            vehicles, {overview.alerts.length} alerts
          </p>
          <svg
            viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
            role="img"
            aria-label="Map of parcels, lockers, vehicles and delivery alerts"
            data-testid="delivery-map"
            style={{
              width: '100%',
              maxWidth: WIDTH,
              border: '1px solid var(--border, #8884)',
              borderRadius: 6,
            }}
          >
            {overview.parcels.map((parcel) => {
              if (!parcel.position) return null;
              const at = project(parcel.position);
              const to = parcel.destination ? project(parcel.destination) : null;
              const chosen = parcel.parcelId === selected;
              return (
                <g key={parcel.parcelId}>
                  {to && (
                    <line x1={at.x} y1={at.y} x2={to.x} y2={to.y} stroke="#8888" strokeDasharray="3 3" />
                  )}
                  <circle
                    cx={at.x}
                    cy={at.y}
                    r={chosen ? 7 : 5}
                    fill={parcel.status === 'delivered' ? '#2e8b57' : '#4682b4'}
                    stroke={chosen ? 'currentColor' : 'none'}
                    tabIndex={0}
                    role="button"
                    aria-label={`Parcel ${parcel.parcelId}, ${parcel.status}`}
                    onClick={() => setSelected(parcel.parcelId)}
                    onKeyDown={(event) => event.key === 'Enter' && setSelected(parcel.parcelId)}
                    data-testid="parcel"
                  >
                    <title>{`${parcel.parcelId} · ${parcel.status} · ${formatTime(parcel.time)}`}</title>
                  </circle>
                </g>
              );
            })}
            {overview.lockers.map((l) =>
              l.position ? (
                <rect
                  key={l.lockerId}
                  x={project(l.position).x - 7}
                  y={project(l.position).y - 7}
                  width={14}
                  height={14}
                  fill="#b8860b"
                >
                  <title>{`Locker ${l.lockerId} · ${l.lastType} · ${formatTime(l.time)}`}</title>
                </rect>
              ) : null,
            )}
            {overview.vehicles.map((v) => (
              <polygon
                key={v.vehicleId}
                points={`${project(v.position).x},${project(v.position).y - 8} ${project(v.position).x - 7},${project(v.position).y + 6} ${project(v.position).x + 7},${project(v.position).y + 6}`}
                fill="#6a5acd"
              >
                <title>{`Vehicle ${v.vehicleId} · ${formatTime(v.time)}`}</title>
              </polygon>
            ))}
            {overview.alerts.map((alert) =>
              alert.position ? (
                <a key={alert.id} href={`#/alerts/${alert.id}`} data-testid="map-alert">
                  <circle
                    cx={project(alert.position).x}
                    cy={project(alert.position).y}
                    r={14}
                    fill="none"
                    stroke="#d0312d"
                    strokeWidth={3}
                  >
                    <title>{`${alert.title} (${alert.severity})`}</title>
                  </circle>
                </a>
              ) : null,
            )}
          </svg>
          <p className="muted">
            Circles: parcels (green delivered, blue on the way; the dashed line leads to the address).
            Squares: lockers. Triangles: vans. Red rings: alerts.
          </p>
          <h2>Delivery alerts</h2>
          {overview.alerts.length === 0 ? (
            <p>No delivery alert in this window.</p>
          ) : (
            <ul data-testid="delivery-alerts">
              {overview.alerts.map((alert) => (
                <li key={alert.id}>
                  <span className={`sev sev-${alert.severity}`}>{alert.severity}</span>{' '}
                  <a href={`#/alerts/${alert.id}`}>{alert.title}</a>{' '}
                  <span className="muted">{formatTime(alert.time)}</span>
                  {alert.parcelId && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => setSelected(alert.parcelId ?? null)}
                      >
                        Parcel {alert.parcelId}
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          {selected !== null && (
            <section aria-labelledby="timeline-title" data-testid="parcel-timeline">
              <h2 id="timeline-title">Parcel {selected}</h2>
              {!timeline || timeline.parcelId !== selected ? (
                <p className="muted">Loading…</p>
              ) : (
                <ol>
                  {timeline.events.map((event) => (
                    <li key={event.id}>
                      {formatTime(event.time)} <strong>{event.type}</strong>
                      {event.state ? ` ${event.state}` : ''}
                      {event.value !== undefined ? ` ${event.value} ${event.unit ?? ''}` : ''}
                      {event.lockerId ? ` at locker ${event.lockerId}` : ''}
                      {event.position
                        ? ` (${event.position.lat.toFixed(5)}, ${event.position.lon.toFixed(5)})`
                        : ''}
                      {event.proof
                        ? ` proof: ${[event.proof.photo && 'photo', event.proof.signature && 'signature', event.proof.gps && 'GPS'].filter(Boolean).join(', ') || 'none'}`
                        : ''}{' '}
                      <span className="muted">via {event.source}</span>
                    </li>
                  ))}
                </ol>
              )}
            </section>
          )}
        </>
      )}
    </section>
  );
}
