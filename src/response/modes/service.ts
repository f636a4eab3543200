/**
 * Switching fail-safe modes (response stage): the one place that turns modes on and off, for
 * the API, the CLI (through the API) and playbooks. Every change is written through
 * `ledger.commit` (the store row and its `mode.enabled` / `mode.disabled` entry in one
 * transaction), names its author and reason, and is published on `TOPICS.modes` so every
 * gateway follows within a second. A ticker ends modes whose time is up or whose recovery
 * condition holds (no alert of a rule for a while).
 *
 * @example
 *   const modes = new ModeService({ store, ledger, bus, catalogue: compileModes(config.modes) });
 *   await modes.enable({ name: 'checkout-freeze', ttlMs: 30 * 60_000, reason: 'card testing',
 *     author: { id: user.id, name: user.name } });
 */
import { TOPICS, type Bus, type ModeChange } from '../../bus/bus.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { EnsuresecError } from '../../core/errors.js';
import type { CompiledMode, ModeEffect } from '../../gateway/modes/definitions.js';
import type { LedgerWriter } from '../../ledger/service.js';
import type { ModeRecord, Store } from '../../store/store.js';

/** Who switches: a user (id for the ledger's actor, name for the record) or `system` / a playbook. */
export interface ModeAuthor {
  id: string;
  name: string;
}

export interface EnableModeRequest {
  name: string;
  /** null or absent: until disabled by hand or by the recovery condition. */
  ttlMs?: number | null;
  reason: string;
  author: ModeAuthor;
  recovery?: { ruleId: string; quietMs: number } | null;
}

export interface DisableModeRequest {
  name: string;
  reason: string;
  author: ModeAuthor;
}

export interface ModeView {
  name: string;
  description: string;
  effect: ModeEffect;
  /** The mode's state when it is in force, else null. */
  active: ModeRecord | null;
}

export interface ModeServiceLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface ModeServiceDeps {
  store: Store;
  ledger: LedgerWriter;
  bus: Bus;
  catalogue: ReadonlyMap<string, CompiledMode>;
  clock?: Clock;
  logger?: ModeServiceLogger;
}

/** The author the service itself signs with when a mode ends by time or recovery. */
export const SYSTEM_AUTHOR: ModeAuthor = { id: 'system', name: 'system' };

export const MAX_MODE_TTL_MS = 30 * 86_400_000;
const MAX_REASON_CHARS = 1024;

export class ModeService {
  private readonly clock: Clock;

  constructor(private readonly deps: ModeServiceDeps) {
    this.clock = deps.clock ?? systemClock;
  }

  get catalogue(): ReadonlyMap<string, CompiledMode> {
    return this.deps.catalogue;
  }

  /** Every defined mode with its state, by name. */
  async list(): Promise<ModeView[]> {
    const active = new Map(
      (await this.deps.store.modes.listActive(this.clock.nowMs())).map((m) => [m.name, m]),
    );
    return [...this.deps.catalogue.values()]
      .map((mode) => ({
        name: mode.name,
        description: mode.description,
        effect: mode.effect,
        active: active.get(mode.name) ?? null,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Turns a mode on, or changes the end, reason and recovery of one in force. */
  async enable(request: EnableModeRequest): Promise<ModeRecord> {
    this.requireDefined(request.name);
    const author = checkAuthor(request.author);
    const reason = checkReason(request.reason);
    const ttlMs = request.ttlMs ?? null;
    if (ttlMs !== null && !(Number.isInteger(ttlMs) && ttlMs > 0 && ttlMs <= MAX_MODE_TTL_MS)) {
      throw new EnsuresecError('validation_failed', { detail: 'ttl must be between 1 s and 30 d.' });
    }
    const recovery = request.recovery ?? null;
    if (recovery !== null && !(recovery.ruleId.length > 0 && recovery.quietMs > 0)) {
      throw new EnsuresecError('validation_failed', { detail: 'recovery needs a rule id and a quiet time.' });
    }
    const nowMs = this.clock.nowMs();
    const record: ModeRecord = {
      name: request.name,
      enabledAt: new Date(nowMs).toISOString(),
      enabledBy: author.name,
      reason,
      until: ttlMs === null ? null : new Date(nowMs + ttlMs).toISOString(),
      recovery,
    };
    await this.deps.ledger.commit({
      kind: 'mode.enabled',
      actor: author.id,
      write: async (tx) => {
        await tx.modes.put(record);
        return record;
      },
    });
    await this.publish({ type: 'enabled', name: record.name }, nowMs);
    return record;
  }

  /** Turns a mode off; `conflict` when it is not in force. */
  async disable(request: DisableModeRequest): Promise<ModeRecord> {
    this.requireDefined(request.name);
    const author = checkAuthor(request.author);
    const reason = checkReason(request.reason);
    const nowMs = this.clock.nowMs();
    const ended = await this.deps.ledger.commit({
      kind: 'mode.disabled',
      actor: author.id,
      write: async (tx) => {
        const current = await tx.modes.get(request.name);
        if (current === undefined || !(await tx.modes.delete(request.name))) return undefined;
        return {
          ...current,
          disabledAt: new Date(nowMs).toISOString(),
          disabledBy: author.name,
          disabledReason: reason,
        };
      },
    });
    if (ended === undefined) {
      throw new EnsuresecError('conflict', { detail: `Mode ${request.name} is not in force.` });
    }
    await this.publish({ type: 'disabled', name: request.name }, nowMs);
    return ended;
  }

  /**
   * Ends modes whose time is up (gateways already stopped enforcing them) and modes whose
   * recovery condition holds; returns the names ended. The ticker calls it; tests call it.
   */
  async endDue(): Promise<string[]> {
    const nowMs = this.clock.nowMs();
    const ended: string[] = [];
    for (const name of this.deps.catalogue.keys()) {
      const record = await this.deps.store.modes.get(name);
      if (record === undefined) continue;
      const reason = await this.endReason(record, nowMs);
      if (reason === null) continue;
      try {
        await this.disable({ name, reason, author: SYSTEM_AUTHOR });
        ended.push(name);
      } catch (error) {
        // Someone else ended it in between: nothing left to do.
        if (!(error instanceof EnsuresecError && error.code === 'conflict')) throw error;
      }
    }
    return ended;
  }

  private async endReason(record: ModeRecord, nowMs: number): Promise<string | null> {
    if (record.until !== null && Date.parse(record.until) <= nowMs) return 'time to live elapsed';
    const recovery = record.recovery;
    if (recovery === null) return null;
    const quietSinceMs = nowMs - recovery.quietMs;
    if (Date.parse(record.enabledAt) > quietSinceMs) return null;
    const recent = await this.deps.store.alerts.list({
      ruleId: recovery.ruleId,
      since: new Date(quietSinceMs).toISOString(),
      limit: 1,
    });
    return recent.items.length === 0
      ? `recovered: no alert of ${recovery.ruleId} for ${Math.round(recovery.quietMs / 60_000)} min`
      : null;
  }

  /** Runs `endDue` every `intervalMs`; returns the stop function. */
  startTicker(intervalMs = 5_000): () => void {
    const timer = setInterval(() => {
      this.endDue().catch((error: unknown) =>
        this.deps.logger?.error({ err: error }, 'ending fail-safe modes that are due failed'),
      );
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  private requireDefined(name: string): void {
    if (!this.deps.catalogue.has(name)) {
      throw new EnsuresecError('mode_unknown', { detail: `"${name.slice(0, 64)}" is not a defined mode.` });
    }
  }

  private async publish(change: ModeChange, atMs: number): Promise<void> {
    try {
      await this.deps.bus.publish<ModeChange>(TOPICS.modes, change, {
        id: `mode.${change.type}.${change.name}.${atMs}`,
      });
    } catch (error) {
      // The store holds the change and gateways poll it too: a bus hiccup delays, never loses it.
      this.deps.logger?.warn({ err: error, topic: TOPICS.modes }, 'publishing a mode change failed');
    }
  }
}

function checkAuthor(author: ModeAuthor | undefined): ModeAuthor {
  if (
    author === undefined ||
    typeof author.id !== 'string' ||
    typeof author.name !== 'string' ||
    author.id.trim() === '' ||
    author.name.trim() === '' ||
    author.id.length > 256 ||
    author.name.length > 256
  ) {
    throw new EnsuresecError('validation_failed', {
      detail: 'A mode change needs an author (user or playbook).',
    });
  }
  return author;
}

function checkReason(reason: string): string {
  const trimmed = typeof reason === 'string' ? reason.trim() : '';
  if (trimmed === '' || trimmed.length > MAX_REASON_CHARS) {
    throw new EnsuresecError('validation_failed', {
      detail: `A mode change needs a reason (1..${MAX_REASON_CHARS} characters).`,
    });
  }
  return trimmed;
}
