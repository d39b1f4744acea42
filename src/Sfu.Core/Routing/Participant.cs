using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// One member of a room: its peer transport, the tracks it publishes and the down-tracks it
/// receives. Signaling lives in Participant.Negotiation.cs, the packet path in
/// Participant.Media.cs.
/// </summary>
public sealed partial class Participant
{
    /// <summary>At most one PLI per publisher stream in this interval, however many ask.</summary>
    public static readonly TimeSpan KeyframeRequestInterval = TimeSpan.FromMilliseconds(300);

    private readonly SfuEngine _engine;
    private readonly IParticipantEvents _events;
    private readonly ILogger _logger;
    private ImmutableArray<Producer> _producers = [];
    private ImmutableArray<DownTrack> _downTracks = [];
    private int _closed;

    internal Participant(string id, string displayName, Room room, PeerTransport transport, SfuEngine engine, IParticipantEvents events, ILogger logger)
    {
        Id = id;
        DisplayName = displayName;
        Room = room;
        Transport = transport;
        _engine = engine;
        _events = events;
        _logger = logger;
        Time = engine.Time;
        JoinedAt = Time.GetUtcNow();
        Cname = id;
        RtcpSsrc = (uint)Random.Shared.Next(2, int.MaxValue);
        transport.AttachSink(new MediaSink(this));
    }

    public string Id { get; }

    public string DisplayName { get; }

    public Room Room { get; }

    public PeerTransport Transport { get; }

    public DateTimeOffset JoinedAt { get; }

    /// <summary>The RTCP CNAME of everything we send this participant (RFC 3550 §6.5.1).</summary>
    public string Cname { get; }

    public TimeProvider Time { get; }

    /// <summary>The SSRC our RTCP reports and feedback to this participant come from.</summary>
    public uint RtcpSsrc { get; }

    public ImmutableArray<Producer> Producers => _producers;

    public ImmutableArray<DownTrack> DownTracks => _downTracks;

    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Marks the participant closed; true only for the first caller.</summary>
    internal bool TryClose() => Interlocked.Exchange(ref _closed, 1) == 0;

    internal Task NotifyRemovedAsync(string reason, IReadOnlyList<Producer> unpublished) => _events.RemovedAsync(reason, unpublished);

    /// <summary>Ends every publication and subscription; returns the producers that ended.</summary>
    internal ImmutableArray<Producer> Detach()
    {
        ImmutableArray<Producer> producers;
        ImmutableArray<DownTrack> downTracks;
        lock (_negotiationGate)
        {
            producers = _producers;
            downTracks = _downTracks;
            _producers = [];
            _downTracks = [];
            _pendingOffer = null;
        }

        foreach (DownTrack downTrack in downTracks)
        {
            downTrack.Deactivate();
            downTrack.Source.RemoveDownTrack(downTrack);
            UnindexDownTrack(downTrack);
        }

        foreach (Producer producer in producers)
        {
            UnindexProducer(producer);
        }

        return producers;
    }
}
