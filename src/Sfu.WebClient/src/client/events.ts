// The events an SfuClient emits, each with its payload type.
import type { ChatMessage, MediaState, ParticipantInfo, TrackInfo } from '../contracts';
import type { ConnectionStateChange } from './connection-state';

/** A remote track arrived; `stream` groups all of that participant's tracks. */
export interface RemoteTrackEvent {
  readonly participantId: string;
  readonly stream: MediaStream;
  readonly track: MediaStreamTrack;
}

export interface SfuClientEvents {
  /** Our camera and microphone were captured. */
  localStream: MediaStream;
  /** Someone else is in the room (also fired for everyone already there when we join). */
  participantJoined: ParticipantInfo;
  /** Someone left; their stream (if any) was removed just before. */
  participantLeft: { readonly participantId: string; readonly displayName: string | undefined };
  /** A remote track was added to a participant's stream (fires once per track). */
  remoteTrack: RemoteTrackEvent;
  /** A remote track left a participant's stream (e.g. a screen share ended). */
  remoteTrackRemoved: RemoteTrackEvent;
  /** A participant's stream has no tracks left, or the participant left. */
  remoteStreamRemoved: { readonly participantId: string };
  /** The server announced a published track (informational; media arrives via remoteTrack). */
  trackAdded: TrackInfo;
  trackRemoved: TrackInfo;
  connectionState: ConnectionStateChange;
  /** A chat line or join/leave notice arrived. */
  chat: ChatMessage;
  /** The room's recent chat, replacing what was shown (after join and after a resume). */
  chatHistory: readonly ChatMessage[];
  /** Another participant's microphone/camera/screen state (also sent for everyone on join). */
  mediaState: MediaState;
  /** Our own microphone/camera/screen state changed. */
  localMediaState: MediaState;
  /** The server's choice of dominant speaker (null: nobody yet). */
  dominantSpeaker: string | null;
  /** Signaling came back after a drop: 'resumed' kept our place, 'rejoined' started over. */
  recovered: 'resumed' | 'rejoined';
  /** The media connection failed: the client joins again after `delayMs` (attempt counts from 1). */
  rejoining: { readonly attempt: number; readonly delayMs: number };
  /** The media connection failed too often in a row: the client stopped trying and closed. */
  gaveUp: { readonly reason: string };
  /** The server ended our session (an operator removed us, media timed out); the client is closed. */
  removed: { readonly reason: string };
  /**
   * Dynacast: of the simulcast video we publish in m-section `mid`, only `rids` are watched;
   * the other encodings have been turned off until the server names them again.
   */
  layersChanged: { readonly mid: string; readonly rids: readonly string[] };
  /** Something failed that the client could not handle by itself. */
  error: Error;
  /** The server did part of what we asked and says why (e.g. our token does not let us publish). */
  warning: string;
  /** Direct paths to the media server did not work: the client now relays all media through TURN. */
  relayFallback: { readonly reason: string };
}
