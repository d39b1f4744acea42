// The client's connection state as the UI sees it: signaling and the peer connection, summed
// up in one word for a status line.

/** The signaling connection's state as the UI sees it. */
export type SignalingState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting';

/** One summary word for a status line, derived from signaling and the peer connection. */
export type OverallState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface ConnectionStateChange {
  readonly overall: OverallState;
  readonly signaling: SignalingState;
  readonly peer: RTCPeerConnectionState;
  readonly ice: RTCIceConnectionState;
}

/** What the status line shows; `joined` is whether join was ever called. */
export function connectionState(
  closed: boolean,
  joined: boolean,
  signaling: SignalingState,
  pc: RTCPeerConnection | null,
): ConnectionStateChange {
  return {
    overall: overall(closed, joined, signaling, pc?.connectionState ?? 'new'),
    signaling,
    peer: pc?.connectionState ?? 'new',
    ice: pc?.iceConnectionState ?? 'new',
  };
}

function overall(closed: boolean, joined: boolean, signaling: SignalingState, peer: RTCPeerConnectionState): OverallState {
  if (closed) {
    return 'closed';
  }
  switch (signaling) {
    case 'disconnected':
      return joined ? 'closed' : 'idle';
    case 'connecting':
      return 'connecting';
    case 'reconnecting':
      return 'reconnecting';
    case 'connected':
      break;
  }
  switch (peer) {
    case 'connected':
      return 'connected';
    case 'failed':
      return 'failed';
    case 'disconnected':
      return 'reconnecting';
    case 'closed':
      return 'closed';
    default:
      return 'connecting';
  }
}
