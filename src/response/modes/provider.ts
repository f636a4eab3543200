/**
 * The modes in force for a gateway (response -> gateway enforcement): read from the store,
 * re-read at once on every change published on `TOPICS.modes`. Each gateway subscribes in a
 * consumer group of its own, so every gateway gets every change.
 */
import { TOPICS, type Bus, type ModeChange } from '../../bus/bus.js';
import { systemClock, type Clock } from '../../core/clock.js';
import { newId } from '../../core/ids.js';
import type { ModeProvider } from '../../gateway/modes/enforcer.js';
import type { Store } from '../../store/store.js';

export function storeModeProvider(store: Store, bus: Bus, clock: Clock = systemClock): ModeProvider {
  return {
    async listActive() {
      const records = await store.modes.listActive(clock.nowMs());
      return records.map((record) => ({ name: record.name, until: record.until }));
    },
    subscribe(onChange) {
      const subscription = bus.subscribe<ModeChange>(TOPICS.modes, () => onChange(), {
        group: `gateway-modes-${newId('msg')}`,
      });
      return () => void subscription.unsubscribe();
    },
  };
}
