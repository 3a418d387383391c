export { runCli } from './main.js';
export { CliUsageError, ExitCode } from './CliError.js';
export { processIo, type CliIo } from './io.js';
export { checkScenario, communityScenario, readScenarioFile, type NegotiationScenario, type ScenarioVen } from './scenario.js';
export { negotiateOverOpenAdr, type OpenAdrNegotiationOptions, type OpenAdrNegotiationResult, type VenResult } from './openAdrNegotiation.js';
export { aloneCost, negotiateInProcess, scenarioFigures, type InProcessRun, type ScenarioFigures, type VenSchedules } from './scenarioOutcome.js';
export { renderNegotiationReport, type NegotiationReportData, type ReportSeries } from './report/negotiationReport.js';
