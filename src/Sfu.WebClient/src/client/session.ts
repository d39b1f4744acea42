// One participant's place in a room: joining (signaling, Join, the peer connection, our
// devices, the meeting snapshot), joining again from scratch, and the ways it ends: close,
// removal by the server, a page going away.
import { HubMethods, LeaveBeaconPath, type JoinResult, type MeetingSnapshot } from '../contracts';
import type { ClientContext } from './context';
import type { LocalMedia } from './local-media';
import type { Meeting } from './meeting';
import type { Negotiator } from './negotiation';
import type { PeerLink } from './peer-link';
import type { RemoteParticipants } from './remote-participants';
import type { ScreenShare } from './screen-share';

/** The parts of a client a session sets up and tears down. */
export interface SessionParts {
  readonly peer: PeerLink;
  readonly negotiator: Negotiator;
  readonly remote: RemoteParticipants;
  readonly local: LocalMedia;
  readonly screen: ScreenShare;
  readonly meeting: Meeting;
  /** Tells the room our microphone/camera/screen state. */
  publish(): Promise<void>;
}

export class Session {
  private room: string | null = null;
  private displayName: string | null = null;
  private token: string | null = null;

  constructor(
    private readonly ctx: ClientContext,
    private readonly parts: SessionParts,
  ) {}

  /** Whether join was called. */
  get joined(): boolean {
    return this.room !== null;
  }

  /** What Resume needs to take our place back on a new signaling connection. */
  get resumeToken(): string | null {
    return this.token;
  }

  /** Connects signaling, joins, publishes; resolves once the server has answered our first offer. */
  async join(room: string, displayName: string): Promise<JoinResult> {
    if (this.room !== null) {
      throw new Error('join was already called');
    }
    this.room = room;
    this.displayName = displayName;
    await this.ctx.hub.start();

    let result: JoinResult | undefined;
    await this.parts.negotiator.enqueue(async () => {
      result = await this.start(room, displayName);
    });
    if (result === undefined) {
      throw new Error('join did not complete');
    }
    await this.parts.negotiator.requestOffer();
    return result;
  }

  /** The snapshot after a join or a resume: a fresh resume token and the meeting as it is now. */
  applySnapshot(snapshot: MeetingSnapshot): void {
    this.token = snapshot.resumeToken;
    this.parts.meeting.apply(snapshot);
  }

  /**
   * Leaves behind the peer connection and everyone we knew, and joins again under the same
   * name (runs on the negotiation chain). False when there is nothing to rejoin, or when the
   * client closed while it ran.
   */
  async rejoin(): Promise<boolean> {
    if (this.ctx.closed || this.room === null || this.displayName === null) {
      return false;
    }
    this.closePeer();
    this.parts.remote.removeAll();
    // Our old seat may still be held for resume under our name: give it up first, or the
    // room would refuse the name as taken (names are unique in a room).
    const stale = this.token;
    this.token = null;
    if (stale !== null) {
      await fetch(LeaveBeaconPath, { method: 'POST', body: stale }).catch(() => undefined);
    }
    await this.start(this.room, this.displayName);
    // The new connection may have failed and the client given up (closed) while this rejoin
    // was under way: then it did not bring us back, and must not say so.
    if (this.ctx.closed) {
      return false;
    }
    this.parts.negotiator.scheduleOffer();
    return true;
  }

  /** Leaves the room and releases the camera, microphone and connections. Safe to call twice. */
  async close(): Promise<void> {
    if (this.ctx.closed) {
      return;
    }
    this.ctx.closed = true;
    this.parts.negotiator.cancelScheduledOffer();
    if (this.ctx.hub.connected) {
      try {
        await this.ctx.hub.invoke(HubMethods.leave);
      } catch {
        // Leaving is best effort: the server also notices the connection closing.
      }
    }
    await this.release();
  }

  /** The server has already taken us out of the room: release everything and do not rejoin. */
  async removed(reason: string): Promise<void> {
    if (this.ctx.closed) {
      return;
    }
    this.ctx.closed = true;
    this.ctx.events.emit('removed', { reason });
    await this.release();
  }

  /**
   * For a page that is going away: leaves at once through a beacon (which outlives the page)
   * so the others do not wait out the reconnect grace; then closes.
   */
  leaveOnUnload(): void {
    if (this.token !== null && !this.ctx.closed) {
      navigator.sendBeacon(LeaveBeaconPath, this.token);
      this.token = null;
    }
    void this.close();
  }

  /** Join, create the peer connection and add our media (runs on the chain). */
  private async start(room: string, displayName: string): Promise<JoinResult> {
    const { peer, remote, local, screen } = this.parts;
    const result = await this.ctx.hub.invoke<JoinResult>(HubMethods.join, room, displayName);
    this.ctx.participantId = result.participantId;
    // Created before getUserMedia so a server offer that arrives early can be answered.
    const pc = peer.open(result.iceServers ?? []);
    for (const p of result.participants) {
      if (p.id !== result.participantId) {
        remote.add(p);
      }
    }

    const stream = await local.open();
    if (pc !== peer.current) {
      return result;
    }
    local.attach(pc, stream);
    screen.reset();
    this.applySnapshot(await this.ctx.hub.invoke<MeetingSnapshot>(HubMethods.meetingState));
    await this.parts.publish();
    return result;
  }

  private closePeer(): void {
    this.parts.peer.close();
    this.parts.negotiator.forgetQueuedOffer();
    this.parts.remote.dropAllStreams();
  }

  private async release(): Promise<void> {
    this.parts.negotiator.cancelScheduledOffer();
    this.closePeer();
    this.parts.local.release();
    await this.ctx.hub.stop();
    this.ctx.emitState();
  }
}
