import { createDevCa, issueCertificate, type KeyAndCertificate } from '@oadr-kit/security';
import { adminApiOperator, type OperatorPrompt } from '../src/index.js';
import { DEFAULT_REPORT_CAPABILITIES, type ReportCapability, type VenClientOptions } from '@oadr-kit/ven';
import { startVtn, type RunningVtn } from '@oadr-kit/vtn';
import pino from 'pino';

/** A two-algorithm dev PKI in memory: VTN certificates of both kinds and VEN certificates on demand. */
export function testPki() {
  const rsa = createDevCa('rsa-2048');
  const ecc = createDevCa('ec-p256');
  const ca = [rsa, ecc].map((c) => c.root.certificatePem + c.intermediate.certificatePem).join('');
  const chain = (pair: KeyAndCertificate, issuer: typeof rsa): KeyAndCertificate => ({
    keyPem: pair.keyPem,
    certificatePem: pair.certificatePem + issuer.intermediate.certificatePem,
  });
  const vtn = (ca: typeof rsa, keyAlgorithm: 'rsa-2048' | 'ec-p256'): KeyAndCertificate =>
    chain(issueCertificate({ profile: 'vtn', keyAlgorithm, commonName: 'vtn', issuer: ca.intermediate, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }), ca);
  return {
    ca,
    vtnCredentials: [vtn(rsa, 'rsa-2048'), vtn(ecc, 'ec-p256')],
    /** A VEN certificate; `dnsNames` for a VEN that also listens (push) where a client checks the host name. */
    ven: (name: string, dnsNames: string[] = []): KeyAndCertificate =>
      chain(issueCertificate({ profile: 'ven', keyAlgorithm: 'ec-p256', commonName: name, issuer: ecc.intermediate, ...(dnsNames.length === 0 ? {} : { dnsNames }) }), ecc),
  };
}

const ADMIN_TOKEN = 'certify-token-0123456789';

/**
 * Our VTN on 127.0.0.1 (a port the OS assigns), in-memory SQLite, mutual TLS with the test PKI (an
 * RSA and an ECC certificate unless told which). It asks for TELEMETRY_USAGE once on every
 * registration of it: R1_3060's operator prompt, which no admin call carries out.
 */
export function startOurVtn(pki: ReturnType<typeof testPki>, credentials: readonly KeyAndCertificate[] = pki.vtnCredentials): Promise<RunningVtn> {
  return startVtn({
    listen: { host: '127.0.0.1', port: 0 },
    requestOnRegistration: [{ reportName: 'TELEMETRY_USAGE', granularity: 'PT1S', reportBackDuration: 'PT0S' }],
    admin: { host: '127.0.0.1', port: 0, token: ADMIN_TOKEN },
    storage: { type: 'sqlite', path: ':memory:' },
    tlsMaterial: { credentials, ca: pki.ca },
    logger: pino({ level: 'silent' }),
    processMetrics: false,
  });
}

/** The operator of our VTN: what a case asks for, done through the VTN's admin API. */
export function operatorOf(vtn: RunningVtn): (prompt: OperatorPrompt) => Promise<void> {
  return adminApiOperator({ url: vtn.adminUrl, token: ADMIN_TOKEN });
}

const WATTS = 230;
const history: ReportCapability = { ...DEFAULT_REPORT_CAPABILITIES.find((point) => point.rID === 'power')!, rID: 'history-power', reportName: 'HISTORY_USAGE' };

/**
 * What our VEN under test reports: its default telemetry points, sampled as fast as once a second so
 * the periodic report cases finish in seconds, the history of its power and of its energy meter
 * (HISTORY_USAGE, R1_3130/3140), and a reading for every point asked for at any instant, a past one
 * too: the meter counts a steady load since the epoch.
 */
export const fastReporting: Pick<VenClientOptions, 'reports' | 'handlers'> = {
  reports: [
    ...DEFAULT_REPORT_CAPABILITIES.map((point) => ({ ...point, minPeriodMs: 1_000 })),
    history,
    { ...history, rID: 'history-energy', itemBase: { energyReal: { itemDescription: 'RealEnergy', itemUnits: 'Wh', siScaleCode: 'none' } } },
  ],
  handlers: {
    readReport: async ({ rIDs, atMs }) =>
      rIDs.map((rID) =>
        rID === 'status' ? { rID, status: { oadrOnline: true, oadrManualOverride: false } } : { rID, value: rID === 'history-energy' ? Math.round((WATTS * atMs) / 3_600_000) : WATTS },
      ),
  },
};
