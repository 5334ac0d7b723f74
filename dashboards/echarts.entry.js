// The parts of ECharts (from the pinned npm package) that kam's dashboards
// draw with, bundled by `make assets` with esbuild into one script that
// defines the global `echarts`. The full dist/echarts.min.js is 1 MB; this
// is about half, and pages parse and draw faster (docs/bench.md). A chart
// type or component used in an option must be listed here.
import { use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { BarChart, LineChart, PieChart, ScatterChart } from 'echarts/charts';
import {
    GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent,
} from 'echarts/components';

use([
    CanvasRenderer, BarChart, LineChart, PieChart, ScatterChart,
    GridComponent, LegendComponent, MarkAreaComponent, MarkLineComponent, MarkPointComponent, TitleComponent, TooltipComponent,
]);

export { init, getInstanceByDom, version } from 'echarts/core';
