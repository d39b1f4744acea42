namespace Sfu.Core.Net;

/// <summary>
/// What a path that backs up drops first: video, then audio; control (STUN, DTLS, RTCP) keeps
/// the connection alive and its feedback flowing, so it goes last.
/// </summary>
public enum DatagramPriority : byte
{
    Control,
    Audio,
    Video,
}
