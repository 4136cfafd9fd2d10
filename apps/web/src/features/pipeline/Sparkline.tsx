import { sparklinePoints, toPolyline } from "./sparkline";

const WIDTH = 96;
const HEIGHT = 24;

/** A tiny line of the last samples (oldest left), scaled 0 … max. */
export function Sparkline({ values, label }: { values: readonly number[]; label: string }) {
  const points = sparklinePoints(values, WIDTH, HEIGHT, 2);
  const last = points[points.length - 1];
  return (
    <svg
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
      className="shrink-0 overflow-visible text-sky-600"
      data-testid="lag-sparkline"
    >
      <line
        x1={0}
        x2={WIDTH}
        y1={HEIGHT - 2}
        y2={HEIGHT - 2}
        className="stroke-border"
        strokeWidth={1}
      />
      {points.length > 1 && (
        <polyline
          points={toPolyline(points)}
          fill="none"
          stroke="currentColor"
          strokeWidth={1.5}
          strokeLinejoin="round"
          strokeLinecap="round"
        />
      )}
      {last && <circle cx={last[0]} cy={last[1]} r={2} fill="currentColor" />}
    </svg>
  );
}
