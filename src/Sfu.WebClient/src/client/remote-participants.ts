// The other participants: who is in the room, as the hub tells us, and each one's stream,
// built from the tracks the server sends us.
import type { ParticipantInfo } from '../contracts';
import type { ClientContext } from './context';

export class RemoteParticipants {
  private readonly members = new Map<string, ParticipantInfo>();
  private readonly streams = new Map<string, MediaStream>();

  constructor(private readonly ctx: ClientContext) {}

  /** Remote participants currently in the room, by id. */
  get participants(): ReadonlyMap<string, ParticipantInfo> {
    return this.members;
  }

  /** Remote participants' streams, by participant id. */
  get remoteStreams(): ReadonlyMap<string, MediaStream> {
    return this.streams;
  }

  add(p: ParticipantInfo): void {
    if (p.id === this.ctx.participantId) {
      return;
    }
    this.members.set(p.id, p);
    this.ctx.events.emit('participantJoined', p);
    // Tracks that arrived before we knew their participant are shown now.
    const stream = this.streams.get(p.id);
    if (stream !== undefined) {
      for (const track of stream.getTracks()) {
        this.ctx.events.emit('remoteTrack', { participantId: p.id, stream, track });
      }
    }
  }

  remove(participantId: string): void {
    const info = this.members.get(participantId);
    this.members.delete(participantId);
    this.dropStream(participantId);
    this.ctx.events.emit('participantLeft', { participantId, displayName: info?.displayName });
  }

  /** Everyone leaves (we are joining afresh). */
  removeAll(): void {
    for (const id of [...this.members.keys()]) {
      this.remove(id);
    }
  }

  /** After a resume: who left while we were away leaves, who came joins, the rest stay as they are. */
  reconcile(participants: readonly ParticipantInfo[]): void {
    const present = new Set(participants.map((p) => p.id));
    for (const id of [...this.members.keys()]) {
      if (!present.has(id)) {
        this.remove(id);
      }
    }
    for (const p of participants) {
      if (!this.members.has(p.id)) {
        this.add(p);
      }
    }
  }

  /** Files a track the server sent under its participant; false when it has no stream to go by. */
  addTrack(e: RTCTrackEvent): boolean {
    const stream = e.streams[0];
    if (stream === undefined) {
      // Without a stream (a=msid) a track has no owner to show it under.
      return false;
    }
    // The server sets the a=msid stream id to the publishing participant's id.
    const participantId = stream.id;
    if (this.streams.get(participantId) !== stream) {
      this.streams.set(participantId, stream);
      stream.onremovetrack = (removed) => {
        this.ctx.events.emit('remoteTrackRemoved', { participantId, stream, track: removed.track });
        if (stream.getTracks().length === 0 && this.streams.get(participantId) === stream) {
          this.dropStream(participantId);
        }
      };
    }
    // A track is shown only under a participant we know. One whose participant already left
    // (the offer that carried it was applied after the hub said so: someone who joined and
    // left within a moment) would otherwise be a tile with no name that nothing removes; it is
    // kept, unshown, until its track ends or its participant (re)appears.
    if (this.members.has(participantId)) {
      this.ctx.events.emit('remoteTrack', { participantId, stream, track: e.track });
    }
    return true;
  }

  /** The peer connection that carried every stream is gone; the participants stay. */
  dropAllStreams(): void {
    for (const id of [...this.streams.keys()]) {
      this.dropStream(id);
    }
  }

  private dropStream(participantId: string): void {
    const stream = this.streams.get(participantId);
    if (stream === undefined) {
      return;
    }
    stream.onremovetrack = null;
    this.streams.delete(participantId);
    this.ctx.events.emit('remoteStreamRemoved', { participantId });
  }
}
