// Telling "this camera or microphone cannot be had" apart from a bug of ours, and saying why
// in words a person understands.

/** getUserMedia's failures that mean "this device cannot be had" rather than a bug of ours. */
const deviceErrorNames = new Set(['NotFoundError', 'NotReadableError', 'NotAllowedError', 'OverconstrainedError', 'AbortError']);

/** A camera or microphone could not be opened; the message says which and why. */
export class DeviceUnavailableError extends Error {
  override readonly cause: DOMException;

  constructor(media: 'audio' | 'video', cause: DOMException) {
    const device = media === 'audio' ? 'microphone' : 'camera';
    super(`No ${device} available: ${describeDeviceError(cause)}.`);
    this.name = 'DeviceUnavailableError';
    this.cause = cause;
  }
}

/** Whether getUserMedia failed because of the device (missing, busy, refused), not a bug. */
export function isGetUserMediaDeviceError(error: unknown): error is DOMException {
  return error instanceof DOMException && deviceErrorNames.has(error.name);
}

/** Whether a capture failed because of the device, as getUserMedia's error or as ours. */
export function isDeviceError(error: unknown): error is DOMException | DeviceUnavailableError {
  return error instanceof DeviceUnavailableError || isGetUserMediaDeviceError(error);
}

export function describeDeviceError(error: DOMException | DeviceUnavailableError): string {
  if (error instanceof DeviceUnavailableError) {
    return describeDeviceError(error.cause);
  }
  switch (error.name) {
    case 'NotFoundError':
      return 'none found';
    case 'NotAllowedError':
      return 'permission denied';
    case 'NotReadableError':
      return 'in use or not working';
    case 'OverconstrainedError':
      return 'no device matches';
    default:
      return error.message || error.name;
  }
}
