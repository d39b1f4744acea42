namespace Sfu.Host.Admin;

/// <summary>One live room in the list of <c>GET /api/admin/rooms</c>.</summary>
public sealed record RoomSummary(
    string Name,
    DateTimeOffset CreatedAt,
    int Participants,
    int PublishedTracks,
    int Subscriptions,
    double BitrateIn,
    double BitrateOut);

/// <summary><c>GET /api/admin/rooms/{room}</c>: the room and everyone in it.</summary>
public sealed record RoomDetail(string Name, DateTimeOffset CreatedAt, IReadOnlyList<ParticipantDetail> Participants);

/// <summary>
/// A participant, its transport and its tracks in both directions. <see cref="CandidatePair"/>
/// is how its media reaches us: "host udp", "host tcp" (ICE-TCP), or "relay udp", "relay tcp",
/// "relay tls" (from a configured TURN server's address, with the leg the client reported; plain
/// "relay" until it does); null before ICE selects a pair. <see cref="DownlinkEstimate"/> is what
/// its downlink carries as its congestion feedback says (bits per second, null until it sent
/// any); <see cref="AllocatedBitrate"/> the bitrate the stream allocator gave its subscriptions.
/// </summary>
public sealed record ParticipantDetail(
    string Id,
    string DisplayName,
    DateTimeOffset JoinedAt,
    bool Connected,
    string? SrtpProfile,
    double? DtlsHandshakeMs,
    IReadOnlyList<PublishedTrackDetail> Published,
    IReadOnlyList<SubscriptionDetail> Subscriptions,
    string? CandidatePair = null,
    long? DownlinkEstimate = null,
    long AllocatedBitrate = 0);

/// <summary>
/// A track the participant publishes. <see cref="PacketLoss"/> is the share of its packets
/// that never reached us (0 to 1); bitrates are bits per second over the last second.
/// </summary>
public sealed record PublishedTrackDetail(
    string TrackId,
    string Kind,
    string Codec,
    uint Ssrc,
    long Packets,
    long Bytes,
    double Bitrate,
    double PacketLoss,
    double JitterMs,
    int Subscribers,
    IReadOnlyList<LayerDetail> Layers);

/// <summary>
/// One encoding of a published video: its simulcast rid (null without simulcast), the size its
/// keyframes declare (0 while unknown), its bitrate, and whether the publisher is asked to send
/// it (dynacast turns off layers nobody watches).
/// </summary>
public sealed record LayerDetail(string? Rid, int Width, int Height, long Bitrate, bool Active);

/// <summary>
/// A track the participant receives from another: what we send it, and what its reports say
/// (<see cref="FractionLost"/> 0 to 1 over its last interval, round-trip time once measured);
/// <see cref="Paused"/> while the subscriber asked not to receive it; with simulcast, the rid of
/// the <see cref="Layer"/> it gets and of the one it should get (<see cref="TargetLayer"/>);
/// <see cref="Bandwidth"/>: "full" when the subscriber's downlink carries what it asks for,
/// "reduced" when it holds the video below that layer, "paused" when it carries none of it.
/// </summary>
public sealed record SubscriptionDetail(
    string PublisherId,
    string TrackId,
    string Kind,
    string Codec,
    uint Ssrc,
    long Packets,
    double Bitrate,
    double FractionLost,
    double JitterMs,
    double? RoundTripMs,
    bool Paused,
    string? Layer,
    string? TargetLayer,
    string Bandwidth = "full");

/// <summary>
/// <c>GET /api/admin/stats</c>: the server's recent history, one sample per
/// <see cref="IntervalSeconds"/>, oldest first; every array has the same length.
/// <see cref="MediaThreads"/>: each media thread's CPU (receive loops first, then fan-out
/// helpers); <see cref="SplitFanOutsPerSecond"/>: fan-outs the receive loops split over the
/// helpers, which they do only while loaded.
/// </summary>
public sealed record StatsResponse(
    double IntervalSeconds,
    IReadOnlyList<double> Time,
    IReadOnlyList<double> ForwardedPacketsPerSecond,
    IReadOnlyList<double> BitrateIn,
    IReadOnlyList<double> BitrateOut,
    IReadOnlyList<double> Participants,
    IReadOnlyList<double> Rooms,
    IReadOnlyList<double> CpuPercent,
    IReadOnlyList<double> GcHeapMegabytes,
    IReadOnlyList<double> GcPauseMsPerSecond,
    IReadOnlyList<double> LossPercent,
    IReadOnlyList<double> RoundTripMs,
    IReadOnlyList<MediaThreadSeries> MediaThreads,
    IReadOnlyList<double> SplitFanOutsPerSecond,
    StatsTotals Totals);

/// <summary>
/// One media thread's CPU over the samples of <see cref="StatsResponse"/>, in percent of one core
/// (0 in a sample it was not yet running): a receive loop (sfu-media-rx-N) or a fan-out helper (sfu-media-fo-N).
/// </summary>
public sealed record MediaThreadSeries(string Name, IReadOnlyList<double> CpuPercent);

/// <summary>Counters since the server started.</summary>
public sealed record StatsTotals(
    long PacketsReceived,
    long PacketsForwarded,
    long PacketsDropped,
    IReadOnlyDictionary<string, long> DroppedByReason,
    long NacksReceived,
    long PlisSent,
    long NacksSent,
    long PacketsRepaired,
    long LayerSwitches);

/// <summary>The body of every admin error: what went wrong, in words.</summary>
public sealed record AdminError(string Error);

/// <summary><c>POST /api/admin/tokens</c>: the join token, its invite link, and what it grants until when.</summary>
public sealed record MintedToken(string Token, string InviteUrl, string Identity, string Room, DateTimeOffset ExpiresAt);
