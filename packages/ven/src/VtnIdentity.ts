import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/** What undici publishes on `undici:client:connected` (the fields this module reads). */
interface Connected {
  readonly connectParams: { readonly hostname: string; readonly port: string | number; readonly protocol: string };
  readonly socket: unknown;
}

/** A certificate subject as one comparable text. */
function subjectOf(certificate: PeerCertificate): string {
  return Object.entries(certificate.subject ?? {})
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .sort()
    .join(',');
}

/**
 * Who the VTN is, as its certificates say: the subjects of the certificates it presented on the
 * VEN's own connections to `vtnUrl` (observed on undici's connection channel, whatever dispatcher
 * is used). A push must come from one of them: any party with a certificate from a trusted CA can
 * reach the listener, and one the VEN never registered with gets no OpenADR payload (TH N0_5080).
 * A VTN may present another certificate as a client than as a server (one per key algorithm), so
 * the subject is compared, not the certificate.
 */
export class VtnIdentity {
  readonly #subjects = new Set<string>();
  readonly #hostname: string;
  readonly #port: string;
  readonly #observe = (message: unknown): void => {
    const { connectParams, socket } = message as Connected;
    if (connectParams.protocol !== 'https:' || connectParams.hostname !== this.#hostname || String(connectParams.port || '443') !== this.#port) return;
    const certificate = (socket as Partial<TLSSocket>).getPeerCertificate?.();
    if (certificate !== undefined && certificate.subject !== undefined) this.#subjects.add(subjectOf(certificate));
  };

  readonly #commonNames: ReadonlySet<string>;

  /** `commonNames`: certificates the VTN is known to push with, whatever it presents as a server. */
  constructor(vtnUrl: URL, commonNames: readonly string[] = []) {
    this.#hostname = vtnUrl.hostname;
    this.#port = vtnUrl.port || '443';
    this.#commonNames = new Set(commonNames);
  }

  start(): void {
    subscribe('undici:client:connected', this.#observe);
  }

  stop(): void {
    unsubscribe('undici:client:connected', this.#observe);
  }

  /** Whether a push client's certificate names the VTN this VEN talks to. */
  knows(certificate: PeerCertificate): boolean {
    if (certificate.subject === undefined) return false;
    const commonName = certificate.subject.CN;
    return this.#subjects.has(subjectOf(certificate)) || (typeof commonName === 'string' && this.#commonNames.has(commonName));
  }
}
