// A small typed React wrapper around ECharts (tree-shaken core). Used instead of echarts-for-react, whose CommonJS
// default export does not type-check under the project's NodeNext module settings. Resizes with its container.
import { useEffect, useRef, type CSSProperties } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { EChartsCoreOption } from 'echarts/core';

echarts.use([BarChart, LineChart, PieChart, DatasetComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = EChartsCoreOption;

export const CHART_FONT = "'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif";

export function EChart({ option, height = 280, style, testId, onClick }: { option: ChartOption; height?: number; style?: CSSProperties; testId?: string; onClick?: (params: { name: string; seriesName?: string; dataIndex: number }) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    const el = ref.current!;
    const c = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = c;
    c.on('click', (p) => click.current?.(p as unknown as { name: string; seriesName?: string; dataIndex: number }));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(el);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    // Tooltips render in the canvas (richText): HTML tooltips carry inline style attributes, which our CSP refuses.
    chart.current?.setOption(
      {
        textStyle: { fontFamily: CHART_FONT },
        animation: false,
        ...option,
        tooltip: option.tooltip ? { renderMode: 'richText', ...(option.tooltip as object) } : undefined,
      },
      { notMerge: true },
    );
  }, [option]);

  return <div ref={ref} style={{ height, width: '100%', ...style }} data-testid={testId} />;
}
