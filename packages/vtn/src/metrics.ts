import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

/** The VTN's Prometheus metrics, in a registry of its own so several VTNs in one process stay apart. */
export interface VtnMetrics {
  registry: Registry;
  requests: Counter<'service' | 'message' | 'outcome'>;
  requestSeconds: Histogram<'service'>;
  pushes: Counter<'message' | 'outcome'>;
  pushSeconds: Histogram<'message'>;
  pushQueue: Gauge;
}

export function createMetrics(defaultMetrics: boolean): VtnMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: 'oadr_vtn_requests_total',
      help: 'OpenADR requests by service, message type and outcome (a response code or an HTTP status)',
      labelNames: ['service', 'message', 'outcome'],
      registers: [registry],
    }),
    requestSeconds: new Histogram({
      name: 'oadr_vtn_request_duration_seconds',
      help: 'Time to answer an OpenADR request',
      labelNames: ['service'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    pushes: new Counter({
      name: 'oadr_vtn_pushes_total',
      help: 'Messages pushed to VENs by outcome (delivered, retried, failed)',
      labelNames: ['message', 'outcome'],
      registers: [registry],
    }),
    pushSeconds: new Histogram({
      name: 'oadr_vtn_push_duration_seconds',
      help: 'Time of one push attempt',
      labelNames: ['message'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    pushQueue: new Gauge({ name: 'oadr_vtn_push_queue', help: 'VENs waiting for a push', registers: [registry] }),
  };
}
