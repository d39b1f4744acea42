using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>
/// The payload types of one participant's BUNDLE group. RFC 8843 §9.1: every m-section of a
/// group shares one RTP session, so a payload type names the same codec in all of them; a
/// receiver demultiplexes by it. The participant's offers bind the numbers it chose (every
/// codec of every live section, whether or not we accepted it); a codec it never offered gets
/// a number that is free in the group. The caller holds the negotiation lock.
/// </summary>
internal sealed class BundlePayloadTypes
{
    private readonly Dictionary<int, RtpCodec> _bound = [];
    private IReadOnlyList<RtpCodec> _offeredAudio = [];
    private IReadOnlyList<RtpCodec> _offeredVideo = [];

    // What OwnCodecFor found per source codec; a server offer asks for the same few codecs once
    // per section, so this keeps it linear in the sections. Cleared whenever a binding is added.
    private readonly Dictionary<CodecDescription, RtpCodec?> _ownCodecs = [];
    private readonly Dictionary<int, RtpCodec?> _rtxFor = [];

    /// <summary>Binds every payload type the participant's offer uses, first binding wins.</summary>
    public void Learn(SessionDescription offer)
    {
        var audio = new List<RtpCodec>(_offeredAudio);
        var video = new List<RtpCodec>(_offeredVideo);
        foreach (MediaDescription media in offer.Media)
        {
            if (media.IsRejected)
            {
                continue;
            }

            foreach (RtpCodec codec in media.Codecs)
            {
                if (_bound.TryAdd(codec.PayloadType, codec.Clone()))
                {
                    Forget();
                    if (!codec.IsRtx)
                    {
                        (media.Kind == MediaKind.Audio ? audio : video).Add(codec.Clone());
                    }
                }
            }
        }

        // Replaced whole, so other participants' negotiations read them without this one's lock.
        Volatile.Write(ref _offeredAudio, audio);
        Volatile.Write(ref _offeredVideo, video);
    }

    private void Forget()
    {
        _ownCodecs.Clear();
        _rtxFor.Clear();
    }

    /// <summary>
    /// The media codecs of <paramref name="kind"/> the participant's own offers listed (not the
    /// numbers we bound for it): what it said it can receive. Safe to read from any thread.
    /// </summary>
    public IReadOnlyList<RtpCodec> Offered(MediaKind kind) => kind == MediaKind.Audio ? Volatile.Read(ref _offeredAudio) : Volatile.Read(ref _offeredVideo);

    /// <summary>The codec bound to <paramref name="payloadType"/>, if any.</summary>
    public RtpCodec? Find(int payloadType) => _bound.GetValueOrDefault(payloadType);

    /// <summary>
    /// The codec list of a section that forwards <paramref name="source"/> to this participant:
    /// the participant's own payload type for that codec (and its RTX) when it offered one,
    /// else the publisher's number when it is free in the group, else a free dynamic one.
    /// </summary>
    public List<RtpCodec> CodecsToSend(CodecDescription source, MediaKind kind)
    {
        if (!_ownCodecs.TryGetValue(source, out RtpCodec? own))
        {
            _ownCodecs[source] = own = OwnCodecFor(source);
        }

        string[] feedback = SectionPolicy.FeedbackFor(kind);
        if (own is not null)
        {
            var list = new List<RtpCodec> { WithFeedback(own, feedback) };
            if (!_rtxFor.TryGetValue(own.PayloadType, out RtpCodec? rtx))
            {
                _rtxFor[own.PayloadType] = rtx = _bound.Values.FirstOrDefault(c => c.IsRtx && c.AssociatedPayloadType == own.PayloadType);
            }

            if (rtx is not null)
            {
                list.Add(WithFeedback(rtx, []));
            }

            return list;
        }

        int payloadType = Allocate(source.PayloadType);
        var codec = new RtpCodec
        {
            PayloadType = payloadType,
            Name = source.Name,
            ClockRate = source.ClockRate,
            Channels = source.Channels > 1 ? source.Channels : null,
            Fmtp = source.Fmtp,
        };
        foreach (string fb in feedback)
        {
            codec.RtcpFeedback.Add(fb);
        }

        _bound[payloadType] = codec.Clone();
        Forget();
        return [codec];
    }

    /// <summary>A codec the participant itself offered that carries <paramref name="source"/>'s stream unchanged.</summary>
    private RtpCodec? OwnCodecFor(CodecDescription source)
    {
        RtpCodec? sameName = null;
        foreach (RtpCodec codec in _bound.Values.OrderBy(c => c.PayloadType))
        {
            if (codec.IsRtx || !SectionPolicy.Matches(codec, source))
            {
                continue;
            }

            if (CodecParameters.SameFormat(codec.Name, codec.Fmtp, source.Fmtp))
            {
                return codec;
            }

            sameName ??= codec;
        }

        // Only codecs whose parameters do not change the bitstream (VP8, opus) may differ in fmtp.
        return sameName is not null && !CodecParameters.FormatMatters(sameName.Name) ? sameName : null;
    }

    private int Allocate(int preferred)
    {
        if (!_bound.ContainsKey(preferred))
        {
            return preferred;
        }

        // RFC 3551 §6: 96-127 are dynamic; libwebrtc also uses 35-63 once those run out.
        for (int pt = 96; pt <= 127; pt++)
        {
            if (!_bound.ContainsKey(pt))
            {
                return pt;
            }
        }

        for (int pt = 35; pt <= 63; pt++)
        {
            if (!_bound.ContainsKey(pt))
            {
                return pt;
            }
        }

        throw new Sessions.SignalingException("No free RTP payload type is left in the BUNDLE group.");
    }

    private static RtpCodec WithFeedback(RtpCodec codec, string[] supported)
    {
        var copy = new RtpCodec
        {
            PayloadType = codec.PayloadType,
            Name = codec.Name,
            ClockRate = codec.ClockRate,
            Channels = codec.Channels,
            Fmtp = codec.Fmtp,
        };
        foreach (string fb in codec.RtcpFeedback)
        {
            if (supported.Contains(fb, StringComparer.OrdinalIgnoreCase))
            {
                copy.RtcpFeedback.Add(fb);
            }
        }

        return copy;
    }
}
