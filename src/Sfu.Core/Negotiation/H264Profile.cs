using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>The H.264 profiles browsers offer, as far as a decoder cares.</summary>
public enum H264ProfileKind : byte
{
    Unknown,
    ConstrainedBaseline,
    Baseline,
    Main,
    ConstrainedHigh,
    High,
    PredictiveHigh444,
}

/// <summary>
/// The profile part of an H.264 profile-level-id (RFC 6184 §8.1): three bytes in hex,
/// profile_idc, profile-iop (the constraint_set flags) and level_idc. Two fmtp lines name the
/// same stream format when packetization-mode (§6.2, 0 when absent) and the profile agree;
/// the level may differ (a receiver decodes any level up to its own, and level-asymmetry-allowed
/// lets each side send its own). One profile has several spellings: Constrained Baseline is
/// 42 with constraint_set1 (42e0, 4240), 4D with constraint_set0 (4d80) or 58 with set0 and
/// set1 (58c0), following H.264 Annex A.2.
/// </summary>
public static class H264Profile
{
    /// <summary>The profile of an fmtp's profile-level-id; RFC 6184 §8.1 makes 42000A (baseline) the default.</summary>
    public static H264ProfileKind Parse(string? fmtp)
    {
        string id = SdpParameters.Parse(fmtp).GetValueOrDefault("profile-level-id") ?? "42000a";
        if (id.Length != 6
            || !byte.TryParse(id.AsSpan(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte idc)
            || !byte.TryParse(id.AsSpan(2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte iop))
        {
            return H264ProfileKind.Unknown;
        }

        bool set0 = (iop & 0x80) != 0;
        bool set1 = (iop & 0x40) != 0;
        return idc switch
        {
            // A.2.1: constraint_set1 makes a Baseline stream Constrained Baseline; so does a
            // Main (set1) or Extended (set0 and set1) stream that obeys the same subset.
            0x42 => set1 ? H264ProfileKind.ConstrainedBaseline : H264ProfileKind.Baseline,
            0x4D => set0 ? H264ProfileKind.ConstrainedBaseline : H264ProfileKind.Main,
            0x58 => set0 && set1 ? H264ProfileKind.ConstrainedBaseline : set0 ? H264ProfileKind.Baseline : H264ProfileKind.Unknown,

            // A.2.4 with constraint_set4 and set5 (0x0C): Constrained High.
            0x64 => (iop & 0x0C) == 0x0C ? H264ProfileKind.ConstrainedHigh : H264ProfileKind.High,
            0xF4 => H264ProfileKind.PredictiveHigh444,
            _ => H264ProfileKind.Unknown,
        };
    }

    /// <summary>packetization-mode (RFC 6184 §8.1), 0 when absent.</summary>
    public static string PacketizationMode(string? fmtp)
        => SdpParameters.Parse(fmtp).GetValueOrDefault("packetization-mode") ?? "0";

    /// <summary>
    /// Whether we forward this stream format: single NAL unit (mode 0) and non-interleaved
    /// (mode 1) packets are read for keyframes as they are (RFC 6184 §6.2, §6.3); interleaved
    /// mode 2 (§6.4) carries decoding-order numbers in aggregation and fragment types we do not
    /// read, and no browser offers it.
    /// </summary>
    public static bool IsForwardable(string? fmtp) => PacketizationMode(fmtp) is "0" or "1";

    /// <summary>Same packetization mode and same profile: a stream of one can be sent as the other.</summary>
    public static bool SameFormat(string? a, string? b)
        => string.Equals(PacketizationMode(a), PacketizationMode(b), StringComparison.Ordinal)
           && Parse(a) == Parse(b)
           && Parse(a) != H264ProfileKind.Unknown;
}
