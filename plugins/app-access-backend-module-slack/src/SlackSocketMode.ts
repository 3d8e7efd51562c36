import { LoggerService } from '@backstage/backend-plugin-api';
import { WebClient } from '@slack/web-api';
import { slackCallError } from './SlackApi';
import {
  InteractionPayload,
  SlackInteractionHandler,
} from './SlackInteractionHandler';

type Envelope = {
  type?: string;
  envelope_id?: string;
  payload?: unknown;
  reason?: string;
};

/**
 * Receives interactions over Slack's Socket Mode instead of a public request
 * URL: `apps.connections.open` (app-level token) hands out a WebSocket URL,
 * Slack sends envelopes over it, and each is acknowledged with its
 * envelope_id (plus the response a modal submission needs) within 3 s.
 * The connection is re-opened whenever Slack or the network drops it.
 */
export class SlackSocketModeConnection {
  private socket?: WebSocket;
  private stopped = true;
  private failures = 0;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly options: {
      /** A Web API client holding the app-level (xapp-) token. */
      appClient: WebClient;
      handler: SlackInteractionHandler;
      logger: LoggerService;
    },
  ) {}

  start() {
    this.stopped = false;
    void this.connect();
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000);
  }

  /** True while a WebSocket to Slack is open. */
  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  private async connect() {
    if (this.stopped) return;
    let url: string | undefined;
    try {
      url = (await this.options.appClient.apps.connections.open({})).url;
    } catch (error) {
      this.options.logger.warn(
        `Slack Socket Mode: ${
          slackCallError('apps.connections.open', error).message
        }`,
      );
    }
    if (!url) {
      this.retryLater();
      return;
    }
    if (this.stopped) return;
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.failures = 0;
    });
    socket.addEventListener('message', event => {
      void this.onMessage(socket, String(event.data));
    });
    socket.addEventListener('close', () => {
      // Only the current socket reconnects; a replaced one just goes away.
      if (this.socket === socket) {
        this.socket = undefined;
        this.retryLater();
      }
    });
    socket.addEventListener('error', () => {
      // 'close' follows and reconnects.
    });
  }

  private retryLater() {
    if (this.stopped) return;
    const delay = Math.min(30_000, 1000 * 2 ** this.failures);
    this.failures += 1;
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private async onMessage(socket: WebSocket, data: string) {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(data);
    } catch {
      return;
    }
    if (envelope.type === 'hello') {
      this.options.logger.info('Slack Socket Mode connected');
      return;
    }
    if (envelope.type === 'disconnect') {
      // Slack rotates connections: open the next one, then let this one go.
      this.options.logger.info(
        `Slack Socket Mode asked to reconnect (${
          envelope.reason ?? 'no reason'
        })`,
      );
      if (this.socket === socket) {
        this.socket = undefined;
        void this.connect();
      }
      socket.close(1000);
      return;
    }
    if (!envelope.envelope_id) return;
    let response: Record<string, unknown> | undefined;
    if (
      envelope.type === 'interactive' &&
      envelope.payload &&
      typeof envelope.payload === 'object'
    ) {
      try {
        response = await this.options.handler.handle(
          envelope.payload as InteractionPayload,
        );
      } catch (error) {
        this.options.logger.error(
          'Slack Socket Mode: handling an interaction failed',
          error as Error,
        );
      }
    }
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(
        JSON.stringify({
          envelope_id: envelope.envelope_id,
          ...(response ? { payload: response } : {}),
        }),
      );
    }
  }
}
