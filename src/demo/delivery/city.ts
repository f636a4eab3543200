/**
 * The demo's synthetic city (demo, delivery simulator): a grid of streets 200 m apart around
 * a centre, a depot on the west edge, parcel lockers at street corners and addresses in three
 * rings (urban within 1.2 km of the centre, suburban to 2.4 km, rural beyond). Everything is
 * derived from a seed, so the same seed draws the same city; coordinates are real latitudes
 * and longitudes (around 50.85 N, 4.35 E by default) so the detectors measure metres.
 *
 * @example
 *   const city = createCity({ seed: 7 });
 *   city.addresses.filter((a) => a.area === 'rural').length; // > 0
 */
import { SeededRandom } from '../../core/seeded-random.js';
export interface GeoPoint {
  lat: number;
  lon: number;
}

export type Area = 'urban' | 'suburban' | 'rural';

export interface Address {
  id: string;
  label: string;
  /** Grid position in blocks east and north of the centre. */
  x: number;
  y: number;
  point: GeoPoint;
  area: Area;
}

export interface Locker {
  id: string;
  x: number;
  y: number;
  point: GeoPoint;
  compartments: string[];
}

export interface City {
  centre: GeoPoint;
  blockM: number;
  /** Half the grid's width, in blocks. */
  radiusBlocks: number;
  depot: { x: number; y: number; point: GeoPoint };
  lockers: Locker[];
  addresses: Address[];
  /** The position of grid point (x, y), in blocks east and north of the centre. */
  at(x: number, y: number): GeoPoint;
}

const STREETS = ['Rue Haute', 'Kerkstraat', 'Avenue Louise', 'Dorpsstraat', 'Stationsstraat', 'Rue Neuve'];

/** The demo's seeded generator (the same seed, the same city and day). */
export { SeededRandom as SimRandom };

/** The point `eastM` metres east and `northM` metres north of `from`. */
export function offsetPoint(from: GeoPoint, eastM: number, northM: number): GeoPoint {
  const lat = from.lat + northM / 111_320;
  const lon = from.lon + eastM / (111_320 * Math.cos((from.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

export function createCity(
  options: { seed?: number; centre?: GeoPoint; blockM?: number; radiusBlocks?: number } = {},
): City {
  const rng = new SeededRandom(options.seed ?? 7);
  const centre = options.centre ?? { lat: 50.8467, lon: 4.3525 };
  const blockM = options.blockM ?? 200;
  const radiusBlocks = options.radiusBlocks ?? 16;
  const at = (x: number, y: number) => offsetPoint(centre, x * blockM, y * blockM);
  const areaOf = (x: number, y: number): Area => {
    const metres = Math.hypot(x, y) * blockM;
    return metres <= 1200 ? 'urban' : metres <= 2400 ? 'suburban' : 'rural';
  };
  const addresses: Address[] = [];
  const taken = new Set<string>();
  while (addresses.length < 120) {
    const x = rng.int(-radiusBlocks, radiusBlocks);
    const y = rng.int(-radiusBlocks, radiusBlocks);
    if (taken.has(`${x},${y}`) || (x === -radiusBlocks && y === 0)) continue;
    taken.add(`${x},${y}`);
    const area = areaOf(x, y);
    // Rural addresses are sparse: keep about one in three.
    if (area === 'rural' && rng.next() < 0.66) continue;
    addresses.push({
      id: `adr-${addresses.length + 1}`,
      label: `${rng.int(1, 180)} ${rng.pick(STREETS)}, ${1000 + Math.abs(x * 7 + y * 3)} Demo City`,
      x,
      y,
      point: at(x, y),
      area,
    });
  }
  const lockerSpots = [
    [0, 0],
    [4, 3],
    [-3, -4],
    [6, -2],
  ] as const;
  const lockers = lockerSpots.map(([x, y], i) => ({
    id: `lk-${String(i + 1).padStart(4, '0')}`,
    x,
    y,
    point: at(x, y),
    compartments: Array.from({ length: 12 }, (_, c) => `C${String(c + 1).padStart(2, '0')}`),
  }));
  return {
    centre,
    blockM,
    radiusBlocks,
    depot: { x: -radiusBlocks, y: 0, point: at(-radiusBlocks, 0) },
    lockers,
    addresses,
    at,
  };
}

/** Grid corners from (x0, y0) to (x1, y1) driving along streets: east-west first, then north-south. */
export function streetPath(
  from: { x: number; y: number },
  to: { x: number; y: number },
): { x: number; y: number }[] {
  const path = [{ x: from.x, y: from.y }];
  if (from.x !== to.x) path.push({ x: to.x, y: from.y });
  if (from.y !== to.y) path.push({ x: to.x, y: to.y });
  return path;
}
