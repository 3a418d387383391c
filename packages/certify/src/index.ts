export { CaseFailure, type CaseOutcome, type CaseResult, type CertificationCase, type DeviceRole, type ExchangeModel } from './CertificationCase.js';
export { matchesSelector, runCases, summarize, type RunCasesOptions } from './runCases.js';
export { junitXml } from './report/junitXml.js';
export { summaryHtml, summaryTable } from './report/summary.js';
export { expectCode, HarnessVen, type Exchange, type HarnessVenOptions, type Registration } from './HarnessVen.js';
export { VTN_PULL_CASES } from './vtn/pullCases.js';
export { drainPolls, ensureRegistered, ensureUnregistered, register, type VtnUnderTest } from './vtn/VtnUnderTest.js';
export { HarnessVtn, type HarnessVtnOptions, type Received } from './HarnessVtn.js';
export { testEvent, VEN_PULL_CASES, type VenUnderTest } from './ven/pullCases.js';
