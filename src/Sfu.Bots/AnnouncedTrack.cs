using Sfu.Core;
using Sfu.Core.Negotiation;

namespace Sfu.Bots;

/// <summary>A track the SFU's offer says it will send to us, with the SSRC to expect.</summary>
internal sealed record AnnouncedTrack(string Mid, MediaKind Kind, uint Ssrc, string StreamId, string TrackId, int ClockRate, int AbsSendTimeId);
