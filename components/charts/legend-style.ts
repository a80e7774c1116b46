/**
 * Recharts sizes its legend from the chart's width before margins; with a negative margin it comes
 * out wider than the chart and pushes a phone's page sideways. Pinned to both edges, it wraps instead.
 */
export const LEGEND_STYLE = { fontSize: 12, left: 0, right: 0, width: "auto" } as const;
