/**
 * The simulator's devices over MQTT (demo, delivery simulator): one mqtt.js client publishes
 * every device message at QoS 1 to the broker the delivery source subscribes to, so the demo
 * exercises the same path as real lockers and vans. Used when `ingest.delivery.mqtt.enabled`.
 *
 * @example
 *   const publisher = await connectDevicePublisher('mqtt://127.0.0.1:1883');
 *   await publisher.publish('ensuresec/v1/demo-city/locker/lk-0001/heartbeat', { seq: 1 });
 */
import mqtt from 'mqtt';

export interface DevicePublisher {
  publish(topic: string, payload: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

export async function connectDevicePublisher(
  url: string,
  options: { username?: string; password?: string } = {},
): Promise<DevicePublisher> {
  const client = await mqtt.connectAsync(url, {
    clientId: `ensuresec-demo-devices-${process.pid}-${Date.now().toString(36)}`,
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.password === undefined ? {} : { password: options.password }),
  });
  return {
    async publish(topic, payload) {
      await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
    },
    close: () => client.endAsync(),
  };
}
