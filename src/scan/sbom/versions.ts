/**
 * Version order for OSV ranges (supply chain): SemVer 2.0 precedence, read leniently so composer
 * versions fit too (`v1.2.3`, four parts, a missing part is 0; build metadata ignored). A version
 * that does not start with a number (`dev-main`) has no order: `compareVersions` returns undefined
 * and such a version only matches an advisory's explicit `versions` list.
 */
interface Parsed {
  release: number[];
  pre: string[];
}

function parse(text: string): Parsed | undefined {
  const match = /^[vV=]?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]*)?$/.exec(text.trim());
  if (!match) return undefined;
  return {
    release: (match[1] as string).split('.').map(Number),
    pre: match[2] === undefined ? [] : match[2].split('.'),
  };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length); // a release is after its pre-releases
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return Math.sign(d);
    } else if (nx !== ny) return nx ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** -1, 0 or 1; undefined when either is not an orderable version. */
export function compareVersions(a: string, b: string): number | undefined {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < Math.max(x.release.length, y.release.length); i++) {
    const d = (x.release[i] ?? 0) - (y.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return comparePre(x.pre, y.pre);
}
