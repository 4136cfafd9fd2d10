/**
 * Scales a series into an SVG box: x spreads the samples evenly over the width, y maps
 * 0 … max (never less than 1, so a flat zero line lies on the bottom edge) onto the height,
 * inside a `pad` margin so the stroke is not clipped.
 */
export function sparklinePoints(
  values: readonly number[],
  width: number,
  height: number,
  pad = 1,
): [number, number][] {
  if (values.length === 0) return [];
  const max = Math.max(1, ...values.map((v) => (Number.isFinite(v) ? v : 0)));
  const innerWidth = width - 2 * pad;
  const innerHeight = height - 2 * pad;
  const step = values.length > 1 ? innerWidth / (values.length - 1) : 0;
  return values.map((v, i) => {
    const value = Number.isFinite(v) ? Math.max(0, v) : 0;
    const x = values.length > 1 ? pad + i * step : pad + innerWidth / 2;
    const y = pad + innerHeight - (value / max) * innerHeight;
    return [round(x), round(y)];
  });
}

/** The points as an SVG `points` attribute. */
export function toPolyline(points: readonly [number, number][]): string {
  return points.map(([x, y]) => `${x},${y}`).join(" ");
}

const round = (n: number) => Math.round(n * 100) / 100;
