namespace Sfu.Bots;

/// <summary>What a bot has sent so far.</summary>
/// <param name="AudioPackets">Opus RTP packets sent.</param>
/// <param name="VideoPackets">VP8 RTP packets sent.</param>
/// <param name="VideoFrames">Video frames sent.</param>
/// <param name="Keyframes">Key frames sent, scheduled or requested.</param>
/// <param name="KeyframeRequestsReceived">PLI and FIR messages received for our video SSRC.</param>
/// <param name="Bytes">SRTP bytes put on the wire (media and RTCP).</param>
/// <param name="ReceiverReports">RTCP receiver reports sent.</param>
public sealed record BotSendStats(
    long AudioPackets,
    long VideoPackets,
    long VideoFrames,
    long Keyframes,
    long KeyframeRequestsReceived,
    long Bytes,
    long ReceiverReports);
