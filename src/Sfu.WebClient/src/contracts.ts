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

/**
 * What Join returns: our own id, who is already in the room, our name as the others see it and
 * what we may do. The participant id also names the session: every server offer carries the id
 * of the session it was made for.
 */
export interface JoinResult {
  readonly participantId: string;
  readonly room: string;
  readonly participants: readonly ParticipantInfo[];
  readonly displayName: string;
  /** False when our access token lets us watch only: what we offer to send is answered so nothing is sent. */
  readonly canPublish: boolean;
  readonly canSubscribe: boolean;
  /** TURN servers with credentials valid for some hours, for networks that reach the media port neither by UDP nor TCP (empty: none configured). */
  readonly iceServers?: readonly IceServerInfo[];
}

/** One RTCIceServer as the server hands it out: TURN REST credentials (username "expiry:identity"). */
export interface IceServerInfo {
  readonly urls: readonly string[];
  readonly username: string;
  readonly credential: string;
}

/** An m-section of our offer that the server's answer rejected (port 0), and why. */
export interface RejectedSection {
  readonly mid: string;
  readonly kind: string;
  readonly reason: string;
}

/** A live room in the lobby's list. */
export interface RoomSummary {
  readonly name: string;
  readonly participants: number;
  /** The most the room admits; 0 means no limit. */
  readonly capacity: number;
}

/** A chat line ("message") or a server notice about a join or leave ("notice"). */
export interface ChatMessage {
  readonly from: string;
  readonly fromId: string;
  readonly text: string;
  /** ISO 8601, from the server's clock. */
  readonly sentAt: string;
  readonly kind: 'message' | 'notice';
}

/** Whether a participant's microphone, camera and screen share are on. */
export interface MediaState {
  readonly participantId: string;
  readonly mic: boolean;
  readonly camera: boolean;
  readonly screen: boolean;
}

/** What MeetingState (after Join) and Resume carry: the resume token and the room's meeting state. */
export interface MeetingSnapshot {
  readonly resumeToken: string;
  readonly chat: readonly ChatMessage[];
  readonly mediaStates: readonly MediaState[];
  readonly dominantSpeaker: string | null;
}

/** What Resume returns after a dropped connection. */
export interface ResumeResult {
  readonly participantId: string;
  readonly room: string;
  readonly participants: readonly ParticipantInfo[];
  readonly meeting: MeetingSnapshot;
}

/** Hub method names, client to server. */
export const HubMethods = {
  join: 'Join',
  leave: 'Leave',
  offer: 'Offer',
  answer: 'Answer',
  watchRooms: 'WatchRooms',
  meetingState: 'MeetingState',
  sendChat: 'SendChat',
  setMediaState: 'SetMediaState',
  resume: 'Resume',
  setReceiving: 'SetReceiving',
  setVideoSize: 'SetVideoSize',
  setVideoLayer: 'SetVideoLayer',
  reportRelayProtocol: 'ReportRelayProtocol',
} as const;

/** Hub event names, server to client. */
export const HubEvents = {
  participantJoined: 'ParticipantJoined',
  participantLeft: 'ParticipantLeft',
  trackAdded: 'TrackAdded',
  trackRemoved: 'TrackRemoved',
  offer: 'Offer',
  sectionsRejected: 'SectionsRejected',
  removed: 'Removed',
  roomsChanged: 'RoomsChanged',
  chatReceived: 'ChatReceived',
  mediaStateChanged: 'MediaStateChanged',
  dominantSpeakerChanged: 'DominantSpeakerChanged',
  warning: 'Warning',
  layersChanged: 'LayersChanged',
} as const;

/** Where a closing page posts its resume token to leave at once (navigator.sendBeacon). */
export const LeaveBeaconPath = '/api/meeting/leave';

/** The path the hub is mapped at (SfuHub.Path). */
export const HubPath = '/hubs/sfu';
