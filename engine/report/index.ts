/** Reports: a model gathered from the store, findings, predictions, forecasts, studies and applied changes, rendered to one self-contained HTML file.
 *
 * @module engine/report
 */
export { gatherReport, isEmptyReport, type GatherInput } from './gather';
export { renderReportHtml, REPORT_SECTIONS } from './html';
export { reportRange, type ReportRange } from './range';
export type { ReportModel, ReportChart, ReportChange, ReportStudy, ReportFinding, ReportForecast, ComponentHealth, HealthFigure, HealthState, ForecastFan } from './types';
