namespace Sfu.Core.Negotiation;

/// <summary>
/// Whether two fmtp lines of the same codec describe the same bitstream, so that a stream sent
/// under one can be forwarded under the other unchanged. Only some parameters matter: for
/// H.264 the packetization mode and profile (<see cref="H264Profile"/>), for VP9 profile-id
/// (RFC 9628 §6), for AV1 profile (AV1 RTP specification §7.2). Receive limits such as max-fs,
/// max-fr or opus's useinbandfec do not change what is sent.
/// </summary>
public static class CodecParameters
{
    /// <summary>True for codecs whose fmtp changes the bitstream, so fmtp must be compared.</summary>
    public static bool FormatMatters(string codecName)
        => codecName.ToUpperInvariant() is "H264" or "VP9" or "AV1";

    public static bool SameFormat(string codecName, string? a, string? b) => codecName.ToUpperInvariant() switch
    {
        "H264" => H264Profile.SameFormat(a, b),
        "VP9" => Value(a, "profile-id", "0") == Value(b, "profile-id", "0"),
        "AV1" => Value(a, "profile", "0") == Value(b, "profile", "0"),
        _ => true,
    };

    private static string Value(string? fmtp, string key, string fallback)
        => SdpParameters.Parse(fmtp).GetValueOrDefault(key) ?? fallback;
}
