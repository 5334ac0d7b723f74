package dashboards

import _ "embed"

// echartsJS is ECharts 5.6.0 from the npm registry, pinned in package-lock.json
// and copied here by `make assets`; it is not committed. Inlined into every page
// so the pages work offline from file://.
//
//go:embed assets/echarts.min.js
var echartsJS string
