// The meeting around the media, as signaling carries it: chat, each participant's
// microphone/camera/screen state and the dominant speaker.
import { HubMethods, type MediaState, type MeetingSnapshot } from '../contracts';
import type { ClientContext } from './context';

export class Meeting {
  constructor(private readonly ctx: ClientContext) {}

  /** Rejects with the server's reason (e.g. too long, too many). */
  async sendChat(text: string): Promise<void> {
    await this.ctx.hub.invoke(HubMethods.sendChat, text);
  }

  /** The room as it is after a join or a resume: recent chat, the others' media state, the dominant speaker. */
  apply(snapshot: MeetingSnapshot): void {
    this.ctx.events.emit('chatHistory', snapshot.chat);
    for (const state of snapshot.mediaStates) {
      if (state.participantId !== this.ctx.participantId) {
        this.ctx.events.emit('mediaState', state);
      }
    }
    this.ctx.events.emit('dominantSpeaker', snapshot.dominantSpeaker);
  }

  /** Our own media state changed: tell the page, and the room once we are in it. */
  async publish(state: MediaState): Promise<void> {
    this.ctx.events.emit('localMediaState', state);
    if (this.ctx.hub.connected && this.ctx.participantId !== null) {
      await this.ctx.hub.invoke(HubMethods.setMediaState, state.mic, state.camera, state.screen);
    }
  }
}
