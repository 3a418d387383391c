import { request } from 'undici';
import type { AskedReport, OperatorAction, OperatorPrompt } from './VtnUnderTest.js';

export interface AdminApiOptions {
  /** The admin API's base URL, e.g. http://127.0.0.1:8081. */
  readonly url: string;
  readonly token: string;
}

function reportRequestBody({ reportSpecifierID, granularity, reportBackDuration, reportInterval, rIDs }: AskedReport): Record<string, unknown> {
  return { reportSpecifierID, granularity, reportBackDuration, ...(reportInterval === undefined ? {} : { reportInterval }), ...(rIDs === undefined ? {} : { rIDs }) };
}

/**
 * The admin API call that carries out an action: method, path and JSON body. None for
 * requestOnRegistration: an oadr-kit VTN takes the reports it asks for on registration from its
 * configuration (`requestOnRegistration`), which no call changes; one not configured so fails
 * R1_3060 for want of the request, which is what the case should say of it.
 */
function callFor(action: OperatorAction): { method: 'POST' | 'PUT'; path: string; body: unknown } | undefined {
  const ven = `/admin/v1/vens/${encodeURIComponent(action.venID)}`;
  switch (action.kind) {
    case 'requestReport':
      return { method: 'POST', path: `${ven}/report-requests`, body: reportRequestBody(action) };
    case 'requestReports':
      return { method: 'POST', path: `${ven}/report-requests`, body: { requests: action.requests.map(reportRequestBody) } };
    case 'cancelReport':
      return { method: 'POST', path: `/admin/v1/report-requests/${encodeURIComponent(action.reportRequestID)}/cancel`, body: { reportToFollow: action.reportToFollow } };
    case 'createEvent':
      return { method: 'POST', path: '/admin/v1/events', body: action.event };
    case 'modifyEvent':
      return { method: 'PUT', path: `/admin/v1/events/${encodeURIComponent(action.eventID)}`, body: action.event };
    case 'cancelEvent':
      return { method: 'POST', path: `/admin/v1/events/${encodeURIComponent(action.eventID)}/cancel`, body: {} };
    case 'cancelRegistration':
      return { method: 'POST', path: `${ven}/deregister`, body: {} };
    case 'requestReregistration':
      return { method: 'POST', path: `${ven}/reregister`, body: {} };
    case 'preallocateVen':
      return { method: 'POST', path: '/admin/v1/vens', body: { venID: action.venID, fingerprint: action.fingerprint } };
    case 'requestOnRegistration':
      return undefined;
  }
}

/**
 * An operator that needs no person: it carries out each action through the admin API of an
 * oadr-kit VTN (schemas/vtn/openapi.json). Any answer but 2xx is an error naming the call.
 */
export function adminApiOperator(options: AdminApiOptions): (prompt: OperatorPrompt) => Promise<void> {
  const base = options.url.replace(/\/$/, '');
  return async ({ action }) => {
    const call = callFor(action);
    if (call === undefined) return;
    const { method, path, body } = call;
    const response = await request(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.body.text();
    if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`admin API ${method} ${path}: HTTP ${response.statusCode} ${text}`);
  };
}
