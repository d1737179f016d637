// A small line chart (uPlot, ADR 0035) of the values a page has seen since it opened: no axes or legend,
// sized to its container, redrawn in place when values arrive. An optional band shades a range of the y
// axis (the disk tile's threshold). The canvas is decorative for screen readers: the element is an image
// whose label says what it shows (latest, lowest and highest value); the tile next to it has the figure.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./chart.css";

const HEIGHT = 44;

export interface ChartProps {
  /** What the values are, for the accessible label ("Peers"). */
  label: string;
  /** Sample times, in seconds since the epoch. */
  times: number[];
  values: (number | null)[];
  /** A shaded y range, e.g. { from: 85, to: 100 } for a threshold. */
  band?: { from: number; to: number };
  /** A fixed y range (percentages: [0, 100]); otherwise it follows the values. */
  range?: [number, number];
  format?: (value: number) => string;
}

function options(el: HTMLElement, props: ChartProps): uPlot.Options {
  const style = getComputedStyle(el);
  const stroke = style.getPropertyValue("--accent").trim() || "#1d4ed8";
  const bandColor = style.getPropertyValue("--bad").trim() || "#b42318";
  const { band, range } = props;
  return {
    width: Math.max(el.clientWidth, 60),
    height: HEIGHT,
    legend: { show: false },
    cursor: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: [4, 2, 2, 2],
    axes: [{ show: false }, { show: false }],
    scales: { x: { time: true }, y: range ? { range } : {} },
    series: [{}, { stroke, width: 1.5, points: { size: 3 } }],
    hooks: band
      ? {
          drawClear: [
            (u) => {
              const top = u.valToPos(band.to, "y", true);
              const bottom = u.valToPos(band.from, "y", true);
              u.ctx.save();
              u.ctx.globalAlpha = 0.18;
              u.ctx.fillStyle = bandColor;
              u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
              u.ctx.restore();
            },
          ],
        }
      : {},
  };
}

function summary(props: ChartProps): string {
  const numbers = props.values.filter((v): v is number => v !== null);
  if (numbers.length === 0) return `${props.label}: no values yet`;
  const f = props.format ?? ((v: number) => v.toLocaleString("en-US"));
  const latest = numbers[numbers.length - 1] as number;
  return `${props.label} since this page opened: latest ${f(latest)}, lowest ${f(Math.min(...numbers))}, highest ${f(Math.max(...numbers))} (${numbers.length} readings)`;
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const { band, range } = props;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt only when its shape changes
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(options(el, latest.current), [latest.current.times, latest.current.values], el);
    plot.current = u;
    const resize = new ResizeObserver(() =>
      u.setSize({ width: Math.max(el.clientWidth, 60), height: HEIGHT }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [band?.from, band?.to, range?.[0], range?.[1]]);

  useEffect(() => {
    plot.current?.setData([props.times, props.values]);
  }, [props.times, props.values]);

  const points = props.values.filter((v) => v !== null).length;
  return (
    <div
      className="chart"
      ref={box}
      role="img"
      aria-label={summary(props)}
      data-chart={props.label}
      data-points={points}
    />
  );
}
