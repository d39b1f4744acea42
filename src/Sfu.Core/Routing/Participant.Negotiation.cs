using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sfu.Core.Dtls;
using Sfu.Core.Negotiation;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// The offer/answer state of the participant's one peer connection. At most one offer is
/// outstanding in either direction: a participant's offer that meets a pending server offer
/// is refused as glare (the browser is the polite peer and offers again after answering), and
/// a server offer wanted while another exchange runs is deferred until it completes.
/// </summary>
public sealed partial class Participant
{
    private readonly Lock _negotiationGate = new();
    private readonly List<MediaSlot> _slots = [];
    private readonly ulong _sessionId = RandomSessionId();
    private ulong _sessionVersion;
    private SessionDescription? _pendingOffer;
    private bool _renegotiationNeeded;
    private bool _negotiated;
    private int _nextServerMid;

    /// <summary>Answers the participant's offer. Throws <see cref="SignalingException"/> with a clear reason.</summary>
    public OfferOutcome HandleOffer(string sdp)
    {
        var published = new List<Producer>();
        var unpublished = new List<Producer>();
        string answerSdp;
        bool first;
        lock (_negotiationGate)
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            if (_pendingOffer is not null)
            {
                throw new SignalingException("glare: the server's offer is waiting for an answer; answer it, then offer again.");
            }

            SessionDescription offer = ParseOrThrow(sdp, "offer");
            ValidateTransport(offer, "offer");
            first = !_negotiated;
            if (first)
            {
                ConfigureTransport(offer, isOffer: true);
            }
            else
            {
                RestartIceIfAsked(offer);
            }

            foreach (MediaDescription media in offer.Media)
            {
                string mid = media.Mid ?? throw new SignalingException("The offer has an m-section without a=mid.");
                MediaSlot? slot = FindSlot(mid);
                if (slot is null)
                {
                    if (media.Kind is not (MediaKind.Audio or MediaKind.Video) && !media.IsRejected)
                    {
                        slot = new MediaSlot(mid, media.Kind, serverOwned: false) { Rejected = true };
                    }
                    else
                    {
                        slot = new MediaSlot(mid, media.Kind, serverOwned: false);
                    }

                    _slots.Add(slot);
                }
                else if (slot.Kind != media.Kind)
                {
                    throw new SignalingException($"m-section '{mid}' changed kind from {slot.Kind} to {media.Kind}.");
                }
            }

            var sendersByMid = new Dictionary<string, SendStream>(StringComparer.Ordinal);
            foreach (MediaSlot slot in _slots)
            {
                if (slot.DownTrack is DownTrack downTrack && downTrack.Mid == slot.Mid)
                {
                    sendersByMid[slot.Mid] = SendStreamOf(downTrack);
                }
            }

            SdpAnswerResult built = SdpAnswerBuilder.Build(offer, LocalTransportFor(answering: true), PublisherCapabilities, sendersByMid);
            if (!built.Success)
            {
                throw new SignalingException("The offer cannot be answered: " + built.Error);
            }

            SessionDescription answer = built.Answer;
            foreach (MediaDescription answered in answer.Media)
            {
                SectionPolicy.KeepOnePrimaryCodec(answered);
            }

            answer.SessionId = _sessionId;
            answer.SessionVersion = ++_sessionVersion;
            for (int i = 0; i < offer.Media.Count; i++)
            {
                ApplyOfferedSection(offer.Media[i], answer.Media[i], published, unpublished);
            }

            _negotiated = true;
            answerSdp = SdpWriter.Write(answer);
            if (published.Count > 0 || unpublished.Count > 0)
            {
                ImmutableArray<Producer> producers = _producers.RemoveRange(unpublished).AddRange(published);
                _producers = producers;
            }
        }

        foreach (Producer producer in unpublished)
        {
            UnindexProducer(producer);
            SfuEngine.Unpublish(producer);
        }

        foreach (Producer producer in published)
        {
            IndexProducer(producer);
            SfuEngine.Publish(producer);
        }

        if (first)
        {
            SfuEngine.SubscribeToRoom(this);
        }

        SfuEngine.Renegotiate(Room);
        return new OfferOutcome(answerSdp, published, unpublished);
    }

    /// <summary>Applies the participant's answer to the pending server offer.</summary>
    public void HandleAnswer(string sdp)
    {
        var activate = new List<DownTrack>();
        lock (_negotiationGate)
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            SessionDescription offer = _pendingOffer
                ?? throw new SignalingException("There is no server offer waiting for an answer.");
            SessionDescription answer = ParseOrThrow(sdp, "answer");
            if (answer.Media.Count != offer.Media.Count)
            {
                throw new SignalingException(
                    $"The answer has {answer.Media.Count} m-sections but the offer had {offer.Media.Count}.");
            }

            for (int i = 0; i < answer.Media.Count; i++)
            {
                MediaDescription media = answer.Media[i];
                if (!string.Equals(media.Mid, offer.Media[i].Mid, StringComparison.Ordinal))
                {
                    throw new SignalingException(
                        $"m-section {i} of the answer has mid '{media.Mid}' where the offer had '{offer.Media[i].Mid}'.");
                }
            }

            _pendingOffer = null;
            foreach (MediaDescription media in answer.Media)
            {
                MediaSlot slot = FindSlot(media.Mid!)!;
                if (media.IsRejected)
                {
                    slot.Rejected = true;
                    slot.DownTrack?.Deactivate();
                    continue;
                }

                slot.Rejected = false;
                if (media.Codecs.Count > 0)
                {
                    slot.Codecs = [.. media.Codecs];
                }

                slot.Extensions = [.. media.Extensions];
                if (slot.DownTrack is DownTrack downTrack && !downTrack.IsActive)
                {
                    RtpCodec? codec = SectionPolicy.FindCodecFor(media, downTrack.Source.Codec);
                    if (codec is null)
                    {
                        LogNoCommonCodec(_logger, Id, downTrack.Source.Codec.Name, media.Mid!);
                        continue;
                    }

                    downTrack.Activate((byte)codec.PayloadType, SectionPolicy.ExtensionMapFor(downTrack.Source.Extensions, media));
                    activate.Add(downTrack);
                }
            }
        }

        if (Transport.IsConnected)
        {
            foreach (DownTrack downTrack in activate)
            {
                downTrack.Source.RequestKeyframe(Time, TimeSpan.Zero);
            }
        }

        RequestRenegotiation(onlyIfNeeded: true);
    }

    /// <summary>Adds a down-track of another participant's producer; a server offer follows.</summary>
    internal void Subscribe(Producer producer)
    {
        lock (_negotiationGate)
        {
            if (IsClosed || _downTracks.Any(d => d.Source == producer))
            {
                return;
            }

            var downTrack = new DownTrack(producer, this, RandomSsrc());
            _downTracks = _downTracks.Add(downTrack);
            IndexDownTrack(downTrack);
            producer.AddDownTrack(downTrack);
            _renegotiationNeeded = true;
        }
    }

    internal void Unsubscribe(Producer producer)
    {
        lock (_negotiationGate)
        {
            DownTrack? downTrack = _downTracks.FirstOrDefault(d => d.Source == producer);
            if (downTrack is null)
            {
                return;
            }

            downTrack.Deactivate();
            producer.RemoveDownTrack(downTrack);
            UnindexDownTrack(downTrack);
            _downTracks = _downTracks.Remove(downTrack);
            foreach (MediaSlot slot in _slots)
            {
                if (slot.DownTrack == downTrack)
                {
                    slot.DownTrack = null;
                }
            }

            _renegotiationNeeded = true;
        }
    }

    /// <summary>
    /// Sends a server offer when subscriptions changed and no exchange is in progress;
    /// otherwise leaves the need recorded for when the current exchange completes.
    /// </summary>
    internal void RequestRenegotiation(bool onlyIfNeeded = true)
    {
        string sdp;
        lock (_negotiationGate)
        {
            if (IsClosed || !_negotiated || _pendingOffer is not null)
            {
                return;
            }

            if (onlyIfNeeded && !_renegotiationNeeded)
            {
                return;
            }

            _renegotiationNeeded = false;
            AssignSlots();
            var sections = new List<OfferSection>(_slots.Count);
            foreach (MediaSlot slot in _slots)
            {
                sections.Add(OfferSectionOf(slot));
            }

            SessionDescription offer = SdpOfferBuilder.Build(LocalTransportFor(answering: false), sections, _sessionId, ++_sessionVersion);
            _pendingOffer = offer;
            sdp = SdpWriter.Write(offer);
        }

        _ = SendOfferAsync(sdp);
    }

    private async Task SendOfferAsync(string sdp)
    {
        try
        {
            await _events.OfferAsync(sdp).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A signaling connection that went away is handled by its own close.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogOfferFailed(_logger, Id, e);
        }
    }

    /// <summary>Gives each unplaced down-track an m-section: a free one of its kind, else a new one.</summary>
    private void AssignSlots()
    {
        foreach (DownTrack downTrack in _downTracks)
        {
            if (downTrack.Mid is not null)
            {
                continue;
            }

            MediaKind kind = downTrack.Source.Kind;
            MediaSlot? slot = _slots.FirstOrDefault(s => s.ServerOwned && s.IsFree && s.Kind == kind);
            if (slot is null)
            {
                string mid;
                do
                {
                    mid = "s" + _nextServerMid++.ToString(CultureInfo.InvariantCulture);
                }
                while (FindSlot(mid) is not null);

                slot = new MediaSlot(mid, kind, serverOwned: true);
                _slots.Add(slot);
            }

            slot.DownTrack = downTrack;
            slot.Rejected = false;
            downTrack.Mid = slot.Mid;
        }
    }

    private OfferSection OfferSectionOf(MediaSlot slot)
    {
        if (slot.Rejected && slot.DownTrack is null)
        {
            return new OfferSection(slot.Mid, slot.Kind, MediaDirection.Inactive, slot.Codecs, slot.Extensions, Rejected: true);
        }

        if (slot.Producer is not null)
        {
            return new OfferSection(slot.Mid, slot.Kind, MediaDirection.RecvOnly, slot.Codecs, slot.Extensions);
        }

        IReadOnlyList<RtpCodec> codecs = slot.Codecs;
        IReadOnlyList<HeaderExtension> extensions = slot.Extensions;
        if (slot.DownTrack is DownTrack downTrack)
        {
            codecs = SectionPolicy.CodecsToSend(_slots, downTrack.Source.Codec, slot.Kind);
            extensions = SectionPolicy.ExtensionsToSend(_slots, slot.Kind);
            return new OfferSection(slot.Mid, slot.Kind, MediaDirection.SendOnly, codecs, extensions, SendStreamOf(downTrack));
        }

        if (codecs.Count == 0)
        {
            codecs = SectionPolicy.DefaultCodecs(slot.Kind);
        }

        return new OfferSection(slot.Mid, slot.Kind, MediaDirection.Inactive, codecs, extensions);
    }

    private void ApplyOfferedSection(MediaDescription offered, MediaDescription answered, List<Producer> published, List<Producer> unpublished)
    {
        MediaSlot slot = FindSlot(offered.Mid!)!;
        if (answered.IsRejected)
        {
            slot.Rejected = true;
            if (slot.Producer is Producer gone)
            {
                unpublished.Add(gone);
                slot.Producer = null;
            }

            return;
        }

        slot.Rejected = false;
        slot.Codecs = [.. answered.Codecs];
        slot.Extensions = [.. answered.Extensions];
        if (slot.DownTrack is not null)
        {
            return;
        }

        bool sends = offered.EffectiveDirection is MediaDirection.SendOnly or MediaDirection.SendRecv;
        (uint ssrc, uint? rtxSsrc) = SectionPolicy.PrimarySsrc(offered);
        if (slot.Producer is Producer current && (!sends || current.Ssrc != ssrc))
        {
            unpublished.Add(current);
            slot.Producer = null;
        }

        if (!sends || slot.Producer is not null || ssrc == 0)
        {
            return;
        }

        RtpCodec? primary = answered.Codecs.FirstOrDefault(c => !c.IsRtx);
        if (primary is null)
        {
            return;
        }

        RtpCodec? rtx = answered.Codecs.FirstOrDefault(c => c.IsRtx && c.AssociatedPayloadType == primary.PayloadType);
        var codec = new CodecDescription(
            (byte)primary.PayloadType,
            primary.Name,
            primary.ClockRate,
            primary.Channels ?? 1,
            primary.Fmtp,
            rtx is null ? null : (byte)rtx.PayloadType);
        var extensions = answered.Extensions.Select(e => new ExtensionDescription((byte)e.Id, e.Uri)).ToList();
        string trackId = offered.Msid?.TrackId ?? offered.Mid!;
        var track = new PublishedTrack(
            offered.Mid!,
            offered.Kind,
            ssrc,
            rtxSsrc,
            trackId,
            codec,
            extensions);
        var producer = new Producer(this, track);
        slot.Producer = producer;
        published.Add(producer);
    }

    private SendStream SendStreamOf(DownTrack downTrack)
        => new(downTrack.Ssrc, null, Cname, downTrack.Source.StreamId, downTrack.Source.TrackId);

    private MediaSlot? FindSlot(string mid)
    {
        foreach (MediaSlot slot in _slots)
        {
            if (string.Equals(slot.Mid, mid, StringComparison.Ordinal))
            {
                return slot;
            }
        }

        return null;
    }

    private static SessionDescription ParseOrThrow(string? sdp, string what)
    {
        if (string.IsNullOrWhiteSpace(sdp))
        {
            throw new SignalingException($"The {what} is empty.");
        }

        SdpParseResult parsed = SdpParser.Parse(sdp);
        if (!parsed.Success)
        {
            throw new SignalingException($"The {what} is not valid SDP: {parsed.Error}");
        }

        return parsed.Description!;
    }

    private static void ValidateTransport(SessionDescription description, string what)
    {
        if (description.Media.Count == 0)
        {
            throw new SignalingException($"The {what} has no m-sections.");
        }

        if (description.BundleGroup is null)
        {
            throw new SignalingException($"The {what} must use BUNDLE (a=group:BUNDLE): all media share one transport.");
        }
    }

    /// <summary>
    /// Takes ICE credentials, fingerprint and DTLS role from the first offer. We answer
    /// setup:passive to an actpass or active offerer (we are the DTLS server, the common
    /// choice of ICE-lite servers: the browser, as controlling ICE agent, starts DTLS as soon
    /// as its check succeeds) and setup:active only to a peer that insists on passive
    /// (RFC 8842 §5.3).
    /// </summary>
    private void ConfigureTransport(SessionDescription offer, bool isOffer)
    {
        MediaDescription first = offer.Media.FirstOrDefault(m => !m.IsRejected)
            ?? throw new SignalingException("Every m-section of the offer is rejected.");
        string? ufrag = first.IceUfrag ?? offer.IceUfrag;
        string? pwd = first.IcePwd ?? offer.IcePwd;
        Fingerprint? fingerprint = first.Fingerprint ?? offer.Fingerprint;
        DtlsSetup setup = first.Setup ?? offer.Setup ?? DtlsSetup.ActPass;
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd))
        {
            throw new SignalingException("The offer has no a=ice-ufrag / a=ice-pwd.");
        }

        if (fingerprint is null || !DtlsFingerprint.TryParse(fingerprint.Algorithm, fingerprint.Value, out DtlsFingerprint? parsed))
        {
            throw new SignalingException("The offer has no usable a=fingerprint (sha-256 expected).");
        }

        DtlsRole role = setup == DtlsSetup.Passive && isOffer ? DtlsRole.Client : DtlsRole.Server;
        Transport.Configure(ufrag, pwd, parsed, role);
    }

    /// <summary>
    /// A later offer with a new ice-ufrag or ice-pwd restarts ICE (RFC 8839 §4.4.1.1.1); the
    /// answer then carries new credentials of ours too, as that section requires.
    /// </summary>
    private void RestartIceIfAsked(SessionDescription offer)
    {
        MediaDescription? first = offer.Media.FirstOrDefault(m => !m.IsRejected);
        string? ufrag = first?.IceUfrag ?? offer.IceUfrag;
        string? pwd = first?.IcePwd ?? offer.IcePwd;
        if (string.IsNullOrEmpty(ufrag) || string.IsNullOrEmpty(pwd) || !Transport.IsConfigured)
        {
            return;
        }

        if (!string.Equals(ufrag, Transport.RemoteUfrag, StringComparison.Ordinal) || !string.Equals(pwd, Transport.RemotePassword, StringComparison.Ordinal))
        {
            _engine.RestartIce(Transport, ufrag, pwd);
        }
    }

    private LocalTransport LocalTransportFor(bool answering)
    {
        DtlsSetup setup = Transport.DtlsRole == DtlsRole.Client ? DtlsSetup.Active : DtlsSetup.Passive;
        _ = answering;
        return new LocalTransport(
            Transport.LocalIce.Ufrag,
            Transport.LocalIce.Password,
            Transport.FingerprintAlgorithm,
            Transport.Fingerprint,
            setup,
            _engine.AnnouncedAddress,
            _engine.AnnouncedPort);
    }

    /// <summary>What publishers may send us: Opus, then VP8, then H.264 (one is kept per section).</summary>
    private static MediaCapabilities PublisherCapabilities => MediaCapabilities.Default;

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

    private static ulong RandomSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverterFree(bytes) >> 2;
    }

    private static ulong BitConverterFree(ReadOnlySpan<byte> bytes) => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Participant {Id} sending the offer failed")]
    private static partial void LogOfferFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Participant {Id} accepted no {Codec} on m-section {Mid}; that track is not forwarded")]
    private static partial void LogNoCommonCodec(ILogger logger, string id, string codec, string mid);
}
