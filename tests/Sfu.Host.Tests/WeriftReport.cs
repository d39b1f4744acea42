namespace Sfu.Host.Tests;

/// <summary>What a werift peer (tests/interop/werift-peer.mjs) reports when it is done.</summary>
/// <param name="ParticipantId">Its id in the room, which is also the msid stream id of what it publishes.</param>
/// <param name="PublishedSsrcs">The SSRC it sends each kind ("audio", "video") on.</param>
/// <param name="Tracks">What arrived on each track it received.</param>
/// <param name="PublishedCodecs">wrtc-peer.mjs: the codec it sends each kind with, from getStats.</param>
public sealed record WeriftReport(
    string ParticipantId,
    string ConnectionState,
    IReadOnlyDictionary<string, uint> PublishedSsrcs,
    IReadOnlyList<WeriftTrack> Tracks,
    IReadOnlyDictionary<string, string?>? PublishedCodecs = null);
