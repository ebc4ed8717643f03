import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { DashboardSnapshot } from '../app/dashboard/view-model.js';
import { onSnapshot } from './store.js';

const POINTS = 240;
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

/** Records/s of each partition over the last POINTS ticks, kept in the page (the stream sends only now). */
class History {
  readonly at: number[] = [];
  readonly rates: number[][] = [];

  add(s: DashboardSnapshot, topic: string): void {
    const t = s.topics.find((x) => x.topic === topic);
    if (t === undefined || this.at[this.at.length - 1] === s.at / 1000) return;
    this.at.push(s.at / 1000);
    t.partitions.forEach((p, i) => {
      const series = (this.rates[i] ??= this.at.slice(0, -1).map(() => 0));
      series.push(p.rate);
    });
    if (this.at.length > POINTS) {
      this.at.shift();
      this.rates.forEach((r) => r.shift());
    }
  }
}

export function RateChart({ topic }: { topic: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const history = new History();
    let plot: uPlot | undefined;
    const draw = () => {
      const el = box.current;
      if (el === null || history.at.length < 2) return;
      const data = [history.at, ...history.rates] as uPlot.AlignedData;
      if (plot && plot.series.length === history.rates.length + 1) return plot.setData(data);
      plot?.destroy();
      plot = new uPlot(
        {
          width: Math.max(300, el.clientWidth),
          height: 160,
          legend: { show: true, live: false },
          series: [
            {},
            ...history.rates.map((_, i) => ({
              label: `p${i}`,
              stroke: COLOURS[i % COLOURS.length]!,
              width: 1.5,
            })),
          ],
          axes: [{}, { label: 'records/s', size: 60 }],
        },
        data,
        el,
      );
    };
    const off = onSnapshot((s) => {
      history.add(s, topic);
      draw();
    });
    return () => {
      off();
      plot?.destroy();
    };
  }, [topic]);
  return <div class="chart" ref={box} data-testid="rate-chart" />;
}
