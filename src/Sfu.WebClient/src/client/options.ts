// What an SfuClient can be configured with, and the defaults.
import type { LogLevel } from '@microsoft/signalr';

export interface SfuClientOptions {
  /** Where the hub is mapped; defaults to /hubs/sfu on the page's origin. */
  readonly hubUrl?: string;
  /** What getUserMedia asks for; defaults to audio plus 1280×720 video (less when the camera offers less). */
  readonly media?: MediaStreamConstraints;
  /**
   * Publish the camera as simulcast layers (rid q/h/f at a quarter, half and full size) that
   * the server picks from per subscriber; true by default. Off publishes one encoding: for
   * tests and for publishers whose CPU or uplink cannot afford three encoders.
   */
  readonly simulcast?: boolean;
  /** SignalR client logging; defaults to warnings. */
  readonly logLevel?: LogLevel;
  /** Join with the microphone or camera off (both on by default). */
  readonly startWith?: { readonly mic?: boolean; readonly camera?: boolean };
  /** Delays between reconnect attempts of the signaling connection, in ms. */
  readonly reconnectDelays?: readonly number[];
  /** The join token of an invite link (`?token=`), sent as SignalR's access token. */
  readonly accessToken?: string;
}

export const defaultMedia: MediaStreamConstraints = {
  audio: true,
  video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
};

export const defaultReconnectDelays: readonly number[] = [0, 500, 1000, 2000, 5000, 5000, 5000];
