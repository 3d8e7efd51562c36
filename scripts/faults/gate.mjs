// A TCP gate in front of a fake: passes connections through while open;
// `refuse()` stops listening (new connections are refused, open ones are cut)
// and `open()` listens again on the same port. For SMTP it can also answer
// every connection with `421` (service not available) and hang up, as a mail
// server in trouble does.
import { connect, createServer } from 'node:net';

export class TcpGate {
  static async start(targetPort) {
    const gate = new TcpGate(targetPort);
    await gate.listen(0);
    return gate;
  }

  constructor(targetPort) {
    this.targetPort = targetPort;
    this.port = 0;
    this.sockets = new Set();
    /** 'open' | 'refuse' | 'smtp421' */
    this.mode = 'open';
    /** Connections refused or turned away, for the run's figures. */
    this.turnedAway = 0;
    /** When open connections were cut (a call in flight may have lost its answer). */
    this.cuts = [];
  }

  async listen(port) {
    this.server = createServer(socket => this.accept(socket));
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', resolve);
    });
    this.port = this.server.address().port;
  }

  accept(socket) {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    if (this.mode === 'smtp421') {
      this.turnedAway += 1;
      socket.end('421 4.3.2 Service not available, closing channel\r\n');
      return;
    }
    const upstream = connect(this.targetPort, '127.0.0.1');
    this.sockets.add(upstream);
    upstream.once('close', () => {
      this.sockets.delete(upstream);
      socket.destroy();
    });
    upstream.on('error', () => socket.destroy());
    socket.once('close', () => upstream.destroy());
    socket.pipe(upstream).pipe(socket);
  }

  /** Refuse connections: stop listening and cut the open ones. */
  async refuse() {
    this.mode = 'refuse';
    if (this.sockets.size) this.cuts.push(Date.now());
    const closed = new Promise(r => this.server.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** Accept connections but answer SMTP 421 and hang up. */
  smtp421() {
    this.mode = 'smtp421';
  }

  async open() {
    if (this.mode === 'refuse') await this.listen(this.port);
    this.mode = 'open';
  }

  async stop() {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) await new Promise(r => this.server.close(r));
  }
}
