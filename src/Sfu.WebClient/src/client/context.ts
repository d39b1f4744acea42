// What every part of one client shares: its events, its signaling link, who we are in the
// room, whether the client has closed, and one way to report a failure.
import { Emitter } from '../emitter';
import type { ConnectionStateChange } from './connection-state';
import type { SfuClientEvents } from './events';
import { HubLink } from './hub-link';
import type { SfuClientOptions } from './options';

export class ClientContext {
  readonly events = new Emitter<SfuClientEvents>();
  readonly hub: HubLink;
  /** Set by close() or by the server's removal; nothing joins, offers or restarts after it. */
  closed = false;
  /** Our participant id, assigned by the server on join. */
  participantId: string | null = null;

  /**
   * @param state the client's current connection state, emitted on every change
   * @param reconnected called when SignalR has reconnected by itself
   */
  constructor(
    options: SfuClientOptions,
    private readonly state: () => ConnectionStateChange,
    reconnected: () => void,
  ) {
    this.hub = new HubLink(options, {
      stateChanged: () => this.emitState(),
      reconnected,
      closed: (error) => {
        if (error !== undefined && !this.closed) {
          this.report('signaling connection closed', error);
        }
      },
    });
  }

  emitState(): void {
    this.events.emit('connectionState', this.state());
  }

  /** A failure the client could not handle by itself: to the console and the `error` event. */
  report(what: string, error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new Error(`${what}: ${message}`, { cause: error });
    console.error(wrapped);
    this.events.emit('error', wrapped);
  }
}
