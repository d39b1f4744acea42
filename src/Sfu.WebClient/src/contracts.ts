// Shapes of the SignalR hub contract at /hubs/sfu (src/Sfu.Host/Signaling). The server
// serializes with System.Text.Json web defaults, so property names arrive in camelCase.

/** A member of a room as other members see it. */
export interface ParticipantInfo {
  readonly id: string;
  readonly displayName: string;
}

/** A published track; `streamId` equals the publisher's participant id (the SDP a=msid stream id). */
export interface TrackInfo {
  readonly participantId: string;
  readonly trackId: string;
  readonly streamId: string;
  readonly kind: string;
}

/** What Join returns: our own id and who is already in the room. */
export interface JoinResult {
  readonly participantId: string;
  readonly room: string;
  readonly participants: readonly ParticipantInfo[];
}

/** Hub method names, client to server. */
export const HubMethods = {
  join: 'Join',
  leave: 'Leave',
  offer: 'Offer',
  answer: 'Answer',
} as const;

/** Hub event names, server to client. */
export const HubEvents = {
  participantJoined: 'ParticipantJoined',
  participantLeft: 'ParticipantLeft',
  trackAdded: 'TrackAdded',
  trackRemoved: 'TrackRemoved',
  offer: 'Offer',
  removed: 'Removed',
} as const;

/** The path the hub is mapped at (SfuHub.Path). */
export const HubPath = '/hubs/sfu';
