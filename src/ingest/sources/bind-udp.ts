/**
 * Binds the UDP socket of a listening source (ingest: syslog, flow collector). On failure the
 * socket is closed and the system error (EADDRINUSE, EACCES…) is passed on for the source to
 * turn into its own message.
 *
 * @example await bindUdpSocket(createSocket('udp4'), '127.0.0.1', 5514);
 */
import type { Socket } from 'node:dgram';

export async function bindUdpSocket(socket: Socket, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    socket.close();
    throw error;
  });
}
