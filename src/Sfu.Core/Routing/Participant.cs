using System.Collections.Immutable;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sfu.Core.Feedback;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// One member of a room: who it is, its one peer transport, the tracks it publishes and the
/// down-tracks it receives. Negotiation is its <see cref="Negotiator"/>'s; the packet path is
/// its <see cref="ParticipantMedia"/>'s. Which tracks reach which members is the
/// <see cref="Room"/>'s to decide: the track lists change under the room's lock.
/// </summary>
public sealed class Participant : IPublisher
{
    private readonly MediaServices _services;
    private ImmutableArray<Producer> _producers = [];
    private ImmutableArray<DownTrack> _downTracks = [];
    private int _closed;

    internal Participant(string id, string displayName, Room room, PeerTransport transport, IParticipantEvents events, MediaServices services)
    {
        Id = id;
        DisplayName = displayName;
        Room = room;
        Transport = transport;
        Events = events;
        _services = services;
        Time = services.Time;
        JoinedAt = Time.GetUtcNow();
        Cname = id;
        RtcpSsrc = (uint)Random.Shared.Next(2, int.MaxValue);
        Media = new ParticipantMedia(this, services);
        Negotiation = new Negotiator(this, services, services.LoggerFactory.CreateLogger<Negotiator>());
        Allocator = new SubscriberAllocator(this, Media.Feedback.Downlink);
        transport.AttachSink(Media);
        transport.Connected += (_, _) => ParticipantMedia.OnConnected(_downTracks);
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

    /// <summary>Whether it may publish and receive; set at Join.</summary>
    public ParticipantPermissions Permissions { get; init; } = ParticipantPermissions.All;

    internal IParticipantEvents Events { get; }

    internal ParticipantMedia Media { get; }

    internal Negotiator Negotiation { get; }

    /// <summary>Fits what this participant receives to its downlink.</summary>
    internal SubscriberAllocator Allocator { get; }

    /// <summary>
    /// The first few SSRCs this participant sent packets on that none of their layers owns, and
    /// what those packets carried (rid, mid, payload type, padding): why a simulcast layer never
    /// started. For diagnostics; empty when every packet found its layer.
    /// </summary>
    public string DescribeUnknownSsrcs() => Media.Unknown.Describe();

    /// <summary>What the path to this participant carries, bits per second, as its feedback says (0 before any).</summary>
    public long DownlinkEstimate => Media.Feedback.Downlink.HasEstimate ? Media.Feedback.Downlink.Target : 0;

    /// <summary>The estimator behind <see cref="DownlinkEstimate"/>, for its diagnostics (usage, cuts, acked and sent rates).</summary>
    public DownlinkBandwidth Downlink => Media.Feedback.Downlink;

    /// <summary>The bitrate the stream allocator last gave this participant's subscriptions together.</summary>
    public long AllocatedBitrate => Allocator.AllocatedBitrate;

    /// <summary>Answers the participant's offer. Throws <see cref="SignalingException"/> with a clear reason.</summary>
    public OfferOutcome HandleOffer(string sdp) => Negotiation.HandleOffer(sdp);

    /// <summary>Applies the participant's answer to the pending server offer.</summary>
    public void HandleAnswer(string sdp) => Negotiation.HandleAnswer(sdp);

    /// <summary>
    /// Sends the outstanding server offer again, if there is one: it went to a connection
    /// that is gone, and without an answer no further renegotiation can start.
    /// </summary>
    public void ResendPendingOffer() => Negotiation.ResendPendingOffer();

    /// <summary>
    /// Pauses or resumes the track this participant receives in its m-section
    /// <paramref name="mid"/> (the browser knows a remote track by its transceiver's mid).
    /// Nothing is renegotiated: the down-track keeps its SSRC and simply stops sending, and a
    /// resumed video track waits for a keyframe, which is asked for. False when no track is
    /// forwarded in that m-section.
    /// </summary>
    public bool SetReceiving(string mid, bool receive)
    {
        if (FindDownTrack(mid) is not { } downTrack)
        {
            return false;
        }

        downTrack.SetPaused(!receive);
        Allocator.Allocate();
        downTrack.Source.UpdateDemand();
        return true;
    }

    /// <summary>
    /// The subscriber renders the video it receives in m-section <paramref name="mid"/> at
    /// <paramref name="width"/> × <paramref name="height"/> device pixels; 0 × 0 means it is not
    /// shown at all, and the track pauses as with <see cref="SetReceiving"/>. With simulcast, it
    /// then gets the smallest layer at least that size. False when no track is forwarded there.
    /// </summary>
    public bool SetVideoSize(string mid, int width, int height)
    {
        if (FindDownTrack(mid) is not { } downTrack)
        {
            return false;
        }

        bool visible = width > 0 || height > 0;
        if (visible)
        {
            downTrack.SetRequestedSize(width, height);
        }

        downTrack.SetPaused(!visible);
        Allocator.Allocate();
        downTrack.Source.UpdateDemand();
        return true;
    }

    /// <summary>
    /// Pins the simulcast layer forwarded in m-section <paramref name="mid"/> to the one named
    /// <paramref name="rid"/>, or back to the choice by size when null. False when no track is
    /// forwarded there or it has no such layer.
    /// </summary>
    public bool SetVideoLayer(string mid, string? rid)
    {
        if (FindDownTrack(mid) is not { } downTrack)
        {
            return false;
        }

        int layer = rid is null ? -1 : downTrack.Source.Layers.IndexOf(downTrack.Source.Layers.FirstOrDefault(l => l.Rid == rid)!);
        if (rid is not null && layer < 0)
        {
            return false;
        }

        downTrack.PinLayer(layer);
        Allocator.Allocate();
        downTrack.Source.UpdateDemand();
        return true;
    }

    /// <summary>Whether the participant's peer connection has (or had) an m-section <paramref name="mid"/>.</summary>
    public bool HasSection(string mid) => Negotiation.HasSection(mid);

    /// <summary>Our reports and feedback on the report interval. Housekeeping thread.</summary>
    internal void OnReportTick() => Media.Feedback.OnReportTick();

    /// <summary>The allocator lowered a subscription (or paused it, <paramref name="paused"/>) for want of bandwidth.</summary>
    internal void OnBandwidthReduced(bool paused) => _services.Counters.BandwidthReduced(paused);

    /// <summary>Which layers of this participant's simulcast tracks are still needed, and what its bandwidth carries. Housekeeping thread.</summary>
    internal void OnLayerTick()
    {
        Allocator.Allocate();
        if (Media.Feedback.Downlink.HasEstimate)
        {
            _services.Metrics?.RecordBandwidth(Media.Feedback.Downlink.Target, Allocator.AllocatedBitrate);
        }

        foreach (Producer producer in _producers)
        {
            producer.UpdateDemand();
        }
    }

    /// <summary>Tells this publisher's signaling which layers of a track to keep sending.</summary>
    internal void OnLayersChanged(Producer producer, IReadOnlyList<string> activeRids)
        => _ = NotifyLayersAsync(producer.Mid, activeRids);

    private async Task NotifyLayersAsync(string mid, IReadOnlyList<string> activeRids)
    {
        try
        {
            await Events.LayersChangedAsync(mid, activeRids).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A signaling connection that went away is handled by its own close.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private DownTrack? FindDownTrack(string mid)
    {
        foreach (DownTrack downTrack in _downTracks)
        {
            if (string.Equals(downTrack.Mid, mid, StringComparison.Ordinal))
            {
                return downTrack;
            }
        }

        return null;
    }

    /// <summary>Marks the participant closed; true only for the first caller. Under the room's lock.</summary>
    internal bool TryClose() => Interlocked.Exchange(ref _closed, 1) == 0;

    /// <summary>A producer for a track the participant's offer announced (not yet published to anyone).</summary>
    internal Producer CreateProducer(PublishedTrack track)
    {
        var producer = new Producer(this, track, Time);
        if (!track.IsSimulcast)
        {
            producer.Layers[0].Bind(new RtpReceiveStream(track.StreamParameters(track.Ssrc, track.RtxSsrc), Time, _services.Retransmissions), KeyframeRequesterFor(track.Ssrc));
        }

        return producer;
    }

    /// <summary>What asks this participant for keyframes of its stream <paramref name="ssrc"/>.</summary>
    internal KeyframeRequester KeyframeRequesterFor(uint ssrc) => new(Transport, RtcpSsrc, ssrc, _services.Counters, Time);

    /// <summary>Starts receiving what the producers publish. Under the room's lock.</summary>
    internal void SetPublished(IReadOnlyList<Producer> published, IReadOnlyList<Producer> unpublished)
    {
        foreach (Producer producer in unpublished)
        {
            Media.Remove(producer);
        }

        foreach (Producer producer in published)
        {
            Media.Add(producer);
        }

        _producers = _producers.RemoveRange(unpublished).AddRange(published);
    }

    /// <summary>Adds a down-track of another participant's producer; a server offer follows. Under the room's lock.</summary>
    internal void Subscribe(Producer producer)
    {
        if (IsClosed || !Permissions.CanSubscribe || producer.IsClosed || producer.Owner == this)
        {
            return;
        }

        foreach (DownTrack existing in _downTracks)
        {
            if (existing.Source == producer)
            {
                return;
            }
        }

        var downTrack = new DownTrack(producer, this, RandomSsrc(), Media.DownTracks);
        if (!producer.TryAddDownTrack(downTrack))
        {
            return;
        }

        Media.Add(downTrack);
        _downTracks = _downTracks.Add(downTrack);
        Negotiation.OnSubscriptionsChanged(added: downTrack, removed: null);
    }

    /// <summary>Ends the down-track of a producer that ended. Under the room's lock.</summary>
    internal void Unsubscribe(DownTrack downTrack)
    {
        downTrack.Deactivate();
        Media.Remove(downTrack);
        _downTracks = _downTracks.Remove(downTrack);
        Negotiation.OnSubscriptionsChanged(added: null, removed: downTrack);
    }

    /// <summary>
    /// Ends every publication and subscription on the way out; returns the producers that
    /// ended, whose down-tracks the caller ends at their subscribers. Under the room's lock.
    /// </summary>
    internal ImmutableArray<Producer> Detach()
    {
        ImmutableArray<Producer> producers = _producers;
        ImmutableArray<DownTrack> downTracks = _downTracks;
        _producers = [];
        _downTracks = [];
        Negotiation.Close();
        foreach (DownTrack downTrack in downTracks)
        {
            downTrack.Deactivate();
            downTrack.Source.RemoveDownTrack(downTrack);
            Media.Remove(downTrack);
        }

        foreach (Producer producer in producers)
        {
            Media.Remove(producer);
        }

        return producers;
    }

    private static uint RandomSsrc()
    {
        Span<byte> bytes = stackalloc byte[4];
        uint ssrc;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            ssrc = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        }
        while (ssrc < 2);

        return ssrc;
    }
}
