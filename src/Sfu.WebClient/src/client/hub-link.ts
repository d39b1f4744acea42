// The SignalR connection to the hub, and its state as the UI sees it. The only part of the
// client that knows SignalR.
import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from '@microsoft/signalr';
import { HubPath } from '../contracts';
import type { SignalingState } from './connection-state';
import { defaultReconnectDelays, type SfuClientOptions } from './options';

export interface HubLinkEvents {
  /** `signaling` changed. */
  stateChanged(): void;
  /** SignalR reconnected by itself: a new connection, which the server does not know yet. */
  reconnected(): void;
  /** The connection ended for good; `error` is unset when it was stopped on purpose. */
  closed(error: Error | undefined): void;
}

export class HubLink {
  private readonly connection: HubConnection;
  private state: SignalingState = 'disconnected';

  constructor(
    options: SfuClientOptions,
    private readonly events: HubLinkEvents,
  ) {
    const token = options.accessToken;
    this.connection = new HubConnectionBuilder()
      // SignalR sends the token as ?access_token= on WebSockets (browsers cannot set headers there).
      .withUrl(options.hubUrl ?? HubPath, token === undefined ? {} : { accessTokenFactory: () => token })
      .withAutomaticReconnect([...(options.reconnectDelays ?? defaultReconnectDelays)])
      .configureLogging(options.logLevel ?? LogLevel.Warning)
      .build();
    this.connection.onreconnecting(() => this.setState('reconnecting'));
    this.connection.onreconnected(() => {
      this.setState('connected');
      events.reconnected();
    });
    this.connection.onclose((error) => {
      this.setState('disconnected');
      events.closed(error);
    });
  }

  get signaling(): SignalingState {
    return this.state;
  }

  /** Whether hub calls can go out now. */
  get connected(): boolean {
    return this.connection.state === HubConnectionState.Connected;
  }

  async start(): Promise<void> {
    this.setState('connecting');
    await this.connection.start();
    this.setState('connected');
  }

  stop(): Promise<void> {
    return this.connection.stop();
  }

  invoke<T = void>(method: string, ...args: unknown[]): Promise<T> {
    return this.connection.invoke<T>(method, ...args);
  }

  /** Handles a server-to-client call. */
  on<Args extends unknown[]>(event: string, handler: (...args: Args) => void): void {
    this.connection.on(event, handler);
  }

  private setState(state: SignalingState): void {
    this.state = state;
    this.events.stateChanged();
  }
}
