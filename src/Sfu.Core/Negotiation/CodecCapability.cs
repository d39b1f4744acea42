namespace Sfu.Core.Negotiation;

/// <summary>
/// One codec the SFU can forward. An offered codec matches when kind, name (case-insensitive,
/// RFC 4855 §3), clock rate and channel count agree and every <see cref="RequiredParameters"/>
/// entry appears in its fmtp with the same value.
/// </summary>
/// <param name="AnswerFmtp">fmtp to answer with; null echoes the offerer's fmtp (needed for H264,
/// whose profile-level-id and packetization-mode must be repeated, RFC 6184 §8.2.2).</param>
/// <param name="RtcpFeedback">Feedback the SFU handles; the answer carries the intersection with the offer.</param>
/// <param name="Rtx">Whether an offered rtx codec pointing at this one (apt=) is accepted.</param>
/// <param name="AcceptsFmtp">A further test of the offered fmtp, for rules a fixed value cannot
/// say (H.264: packetization-mode 0 or 1, absent meaning 0); null accepts any.</param>
public sealed record CodecCapability(
    MediaKind Kind,
    string Name,
    int ClockRate,
    int? Channels,
    IReadOnlyDictionary<string, string> RequiredParameters,
    string? AnswerFmtp,
    IReadOnlyList<string> RtcpFeedback,
    bool Rtx,
    Func<string?, bool>? AcceptsFmtp = null)
{
    public bool Matches(MediaKind kind, RtpCodec offered)
    {
        ArgumentNullException.ThrowIfNull(offered);
        if (kind != Kind
            || !string.Equals(offered.Name, Name, StringComparison.OrdinalIgnoreCase)
            || offered.ClockRate != ClockRate)
        {
            return false;
        }

        // A missing channel field means one channel (RFC 8866 §6.6); opus always says /2 (RFC 7587 §7).
        if (Channels is int channels && (offered.Channels ?? 1) != channels)
        {
            return false;
        }

        if (RequiredParameters.Count > 0)
        {
            IReadOnlyDictionary<string, string> parameters = offered.Parameters;
            foreach (KeyValuePair<string, string> required in RequiredParameters)
            {
                if (!parameters.TryGetValue(required.Key, out string? value)
                    || !string.Equals(value, required.Value, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
        }

        return AcceptsFmtp is null || AcceptsFmtp(offered.Fmtp);
    }

    public bool SupportsFeedback(string feedback)
    {
        foreach (string fb in RtcpFeedback)
        {
            if (string.Equals(fb, feedback, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
