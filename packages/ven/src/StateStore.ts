import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TrackedEvent } from './EventEngine.js';
import { VenError, VenErrorCode } from './VenError.js';

/** What the VEN registered as. */
export interface Registration {
  readonly venID: string;
  readonly registrationID: string;
  readonly vtnID: string;
  readonly pollIntervalMs: number;
}

/** A report the VTN requested, as the VEN keeps it across restarts. */
export interface StoredReportRequest {
  readonly reportRequestID: string;
  readonly reportSpecifierID: string;
  readonly rIDs: readonly string[];
  readonly granularityMs: number;
  readonly reportBackDurationMs: number;
  readonly startMs: number;
  /** Undefined: until cancelled. */
  readonly endMs: number | undefined;
}

/** Everything the VEN needs to keep executing after a restart with the VTN unreachable. */
export interface VenState {
  readonly version: 1;
  /** The vtnID this VEN trusts: learnt at first registration, refused if it ever changes. */
  readonly vtnID: string | undefined;
  readonly registration: Registration | undefined;
  readonly events: readonly TrackedEvent[];
  readonly reportRequests: readonly StoredReportRequest[];
}

export const EMPTY_STATE: VenState = Object.freeze({ version: 1, vtnID: undefined, registration: undefined, events: [], reportRequests: [] });

/** Where the VEN keeps its state. Implement it to keep state elsewhere (flash, a key-value store). */
export interface VenStateStore {
  load(): Promise<VenState | undefined>;
  save(state: VenState): Promise<void>;
}

/** Keeps the state in memory only: what the VEN uses when no `storagePath` is given. */
export class MemoryStateStore implements VenStateStore {
  #state: VenState | undefined;

  load(): Promise<VenState | undefined> {
    return Promise.resolve(this.#state);
  }

  save(state: VenState): Promise<void> {
    this.#state = state;
    return Promise.resolve();
  }
}

/**
 * A small JSON file written atomically: the new content goes to a temporary file in the same
 * directory, is flushed to disk, then renamed over the old one, so a power cut leaves either the old
 * or the new state, never half of one.
 */
export class FileStateStore implements VenStateStore {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<VenState | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new VenError(VenErrorCode.STORE_FAILED, `cannot read the state file ${this.path}`, { cause: error });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new VenError(VenErrorCode.STORE_FAILED, `the state file ${this.path} is not JSON`, { cause: error });
    }
    if (!isVenState(parsed)) throw new VenError(VenErrorCode.STORE_FAILED, `the state file ${this.path} does not hold a version 1 VEN state`);
    return parsed;
  }

  async save(state: VenState): Promise<void> {
    const temporary = `${this.path}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(this.path), { recursive: true });
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify(state));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.path);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw new VenError(VenErrorCode.STORE_FAILED, `cannot write the state file ${this.path}`, { cause: error });
    }
  }
}

function isVenState(value: unknown): value is VenState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  return state['version'] === 1 && Array.isArray(state['events']) && Array.isArray(state['reportRequests']);
}
