export { CaseFailure, type CaseOutcome, type CaseResult, type CertificationCase, type DeviceRole, type ExchangeModel } from './CertificationCase.js';
export { matchesSelector, runCases, summarize, type RunCasesOptions } from './runCases.js';
export { junitXml } from './report/junitXml.js';
export { summaryHtml, summaryTable } from './report/summary.js';
