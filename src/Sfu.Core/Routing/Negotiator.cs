using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sfu.Core.Negotiation;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// The offer/answer state machine of one participant's peer connection (RFC 8829). At most
/// one offer is outstanding in either direction: a participant's offer that meets a pending
/// server offer is refused as glare (the browser is the polite peer and offers again after
/// answering), and a server offer wanted while another exchange runs is sent once it
/// completes. Publications found in an offer are handed to the room after the negotiation lock
/// is released; the room's lock is never taken while this one is held.
/// </summary>
internal sealed partial class Negotiator
{
    private readonly Lock _gate = new();
    private readonly MediaSlots _slots = new();
    private readonly BundlePayloadTypes _payloadTypes = new();
    private readonly Participant _owner;
    private readonly MediaServices _services;
    private readonly ILogger _logger;
    private readonly ulong _sessionId = RandomSessionId();
    private ulong _sessionVersion;
    private SessionDescription? _pendingOffer;
    private bool _renegotiationNeeded;
    private bool _negotiated;
    private bool _closed;

    public Negotiator(Participant owner, MediaServices services, ILogger logger)
    {
        _owner = owner;
        _services = services;
        _logger = logger;
    }

    /// <summary>Answers the participant's offer. Throws <see cref="SignalingException"/> with a clear reason.</summary>
    public OfferOutcome HandleOffer(string sdp)
    {
        var published = new List<Producer>();
        var unpublished = new List<Producer>();
        var refused = new List<string>();
        string answerSdp;
        bool first;
        IReadOnlyList<RejectedSection> rejected;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, _owner);
            if (_pendingOffer is not null)
            {
                throw new SignalingException("glare: the server's offer is waiting for an answer; answer it, then offer again.");
            }

            SessionDescription offer = ParseOrThrow(sdp, "offer", _services);
            OfferLimits.CheckPublished(offer, _slots, _services.Limits, _services.Counters, _owner.Permissions.CanPublish);
            TransportSetup.Validate(offer, "offer");
            first = !_negotiated;
            if (first)
            {
                TransportSetup.Configure(_owner.Transport, offer);
            }
            else
            {
                TransportSetup.RestartIceIfAsked(_owner.Transport, offer);
            }

            _slots.EnsureOffered(offer);
            _payloadTypes.Learn(offer);
            var sendersByMid = new Dictionary<string, SendStream>(StringComparer.Ordinal);
            foreach (MediaSlot slot in _slots.All)
            {
                if (slot.DownTrack is DownTrack downTrack && downTrack.Mid == slot.Mid)
                {
                    sendersByMid[slot.Mid] = SendStreamOf(downTrack);
                }
            }

            SdpAnswerResult built = SdpAnswerBuilder.Build(offer, TransportSetup.Local(_owner.Transport, _services), MediaCapabilities.Default, sendersByMid);
            if (!built.Success)
            {
                throw new SignalingException("The offer cannot be answered: " + built.Error);
            }

            SessionDescription answer = built.Answer;
            rejected = built.Rejected;
            foreach (MediaDescription answered in answer.Media)
            {
                KeepCodecs(answered);
            }

            answer.SessionId = _sessionId;
            answer.SessionVersion = ++_sessionVersion;
            for (int i = 0; i < offer.Media.Count; i++)
            {
                if (!_owner.Permissions.CanPublish && RefuseToReceive(offer.Media[i], answer.Media[i]))
                {
                    refused.Add(offer.Media[i].Mid!);
                }

                ApplyOfferedSection(offer.Media[i], answer.Media[i], published, unpublished);
            }

            _negotiated = true;
            answerSdp = SdpWriter.Write(answer);
        }

        foreach (RejectedSection section in rejected)
        {
            LogSectionRejected(_logger, _owner.Id, section.Mid, section.Kind, section.Reason);
        }

        _owner.Room.ChangePublications(_owner, published, unpublished, subscribeToRoom: first);
        return new OfferOutcome(answerSdp, published, unpublished, rejected) { PublishRefused = refused };
    }

    /// <summary>
    /// For a participant that may not publish: a section it offers to send on is answered as
    /// not received (RFC 3264 §6.1: recvonly becomes inactive, sendrecv becomes sendonly), so
    /// its sender stays silent and nothing is published; what we send it is untouched.
    /// </summary>
    private static bool RefuseToReceive(MediaDescription offered, MediaDescription answered)
    {
        if (answered.IsRejected || !OfferedTracks.Sends(offered))
        {
            return false;
        }

        answered.Direction = answered.Direction == MediaDirection.SendRecv ? MediaDirection.SendOnly : MediaDirection.Inactive;
        return true;
    }

    /// <summary>Applies the participant's answer to the pending server offer.</summary>
    public void HandleAnswer(string sdp)
    {
        var started = new List<DownTrack>();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, _owner);
            SessionDescription offer = _pendingOffer
                ?? throw new SignalingException("There is no server offer waiting for an answer.");
            SessionDescription answer = ParseOrThrow(sdp, "answer", _services);
            if (answer.Media.Count != offer.Media.Count)
            {
                throw new SignalingException(
                    $"The answer has {answer.Media.Count} m-sections but the offer had {offer.Media.Count}.");
            }

            for (int i = 0; i < answer.Media.Count; i++)
            {
                if (!string.Equals(answer.Media[i].Mid, offer.Media[i].Mid, StringComparison.Ordinal))
                {
                    throw new SignalingException(
                        $"m-section {i} of the answer has mid '{answer.Media[i].Mid}' where the offer had '{offer.Media[i].Mid}'.");
                }
            }

            _pendingOffer = null;
            foreach (MediaDescription media in answer.Media)
            {
                if (ApplyAnsweredSection(_slots.Find(media.Mid!)!, media) is DownTrack downTrack)
                {
                    started.Add(downTrack);
                }
            }
        }

        if (_owner.Transport.IsConnected)
        {
            foreach (DownTrack downTrack in started)
            {
                downTrack.RequestStartKeyframe();
            }
        }

        RequestRenegotiation();
    }

    /// <summary>A down-track was added or removed: the next server offer must say so. Under the room's lock.</summary>
    public void OnSubscriptionsChanged(DownTrack? added, DownTrack? removed)
    {
        lock (_gate)
        {
            if (removed is not null)
            {
                _slots.Free(removed);
            }

            _renegotiationNeeded |= added is not null || removed is not null;
        }
    }

    /// <summary>
    /// Sends a server offer when subscriptions changed and no exchange is in progress;
    /// otherwise leaves the need recorded for when the current exchange completes.
    /// </summary>
    public void RequestRenegotiation()
    {
        string sdp;
        lock (_gate)
        {
            if (_closed || !_negotiated || _pendingOffer is not null || !_renegotiationNeeded)
            {
                return;
            }

            _renegotiationNeeded = false;
            _slots.Place(_owner.DownTracks);
            var sections = new List<OfferSection>(_slots.All.Count);
            var extensions = new Dictionary<MediaKind, List<HeaderExtension>>();
            foreach (MediaSlot slot in _slots.All)
            {
                sections.Add(OfferSectionOf(slot, extensions));
            }

            _pendingOffer = SdpOfferBuilder.Build(TransportSetup.Local(_owner.Transport, _services), sections, _sessionId, ++_sessionVersion);
            sdp = SdpWriter.Write(_pendingOffer);
        }

        _ = SendOfferAsync(sdp);
    }

    /// <summary>Sends the outstanding server offer again (its connection was replaced), if there is one.</summary>
    public void ResendPendingOffer()
    {
        string sdp;
        lock (_gate)
        {
            if (_closed || _pendingOffer is null)
            {
                return;
            }

            sdp = SdpWriter.Write(_pendingOffer);
        }

        _ = SendOfferAsync(sdp);
    }

    /// <summary>The participant left: no more exchanges. Under the room's lock.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _pendingOffer = null;
        }
    }

    private async Task SendOfferAsync(string sdp)
    {
        try
        {
            await _owner.Events.OfferAsync(sdp).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A signaling connection that went away is handled by its own close.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogOfferFailed(_logger, _owner.Id, e);
        }
    }

    private static SessionDescription ParseOrThrow(string? sdp, string what, MediaServices services)
    {
        if (string.IsNullOrWhiteSpace(sdp))
        {
            throw new SignalingException($"The {what} is empty.");
        }

        OfferLimits.CheckText(sdp, services.Limits, services.Counters, what);

        SdpParseResult parsed = SdpParser.Parse(sdp);
        if (!parsed.Success)
        {
            throw new SignalingException($"The {what} is not valid SDP: {parsed.Error}");
        }

        return parsed.Description!;
    }

    private static ulong RandomSessionId()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 2;
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Participant {Id} sending the offer failed")]
    private static partial void LogOfferFailed(ILogger logger, string id, Exception exception);

    [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Participant {Id} accepted no {Codec} on m-section {Mid}; that track is not forwarded")]
    private static partial void LogNoCommonCodec(ILogger logger, string id, string codec, string mid);
}
