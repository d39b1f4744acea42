using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>
/// One RTP payload format of an m= section, assembled from its lines (RFC 8866 §6.6, §6.15; RFC 4585 §4.2):
/// <code>
/// a=rtpmap:&lt;pt&gt; &lt;name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;]
/// a=fmtp:&lt;pt&gt; &lt;format parameters&gt;
/// a=rtcp-fb:&lt;pt&gt; &lt;feedback&gt;        (one line per entry: "nack", "nack pli", "ccm fir", "goog-remb", "transport-cc")
/// </code>
/// Channels stays null when the rtpmap had no channel field, so "G722/8000" and "G722/8000/1" both survive a round trip.
/// </summary>
public sealed class RtpCodec
{
    public required int PayloadType { get; init; }

    public required string Name { get; init; }

    public required int ClockRate { get; init; }

    public int? Channels { get; init; }

    /// <summary>The a=fmtp text after the payload type, as written; null when there is no fmtp line.</summary>
    public string? Fmtp { get; init; }

    /// <summary>Feedback types from a=rtcp-fb lines for this payload type, in order.</summary>
    public IList<string> RtcpFeedback { get; } = new List<string>();

    /// <summary>Key=value view of <see cref="Fmtp"/>; keys compare case-insensitively.</summary>
    public IReadOnlyDictionary<string, string> Parameters => SdpParameters.Parse(Fmtp);

    /// <summary>RTX (RFC 4588 §8.1) is the codec named "rtx" whose fmtp carries apt=&lt;associated pt&gt;.</summary>
    public bool IsRtx => string.Equals(Name, "rtx", StringComparison.OrdinalIgnoreCase);

    /// <summary>The apt= parameter of an RTX codec, or null when absent or not a number.</summary>
    public int? AssociatedPayloadType =>
        Parameters.TryGetValue("apt", out string? apt)
        && int.TryParse(apt, NumberStyles.None, CultureInfo.InvariantCulture, out int pt)
            ? pt
            : null;

    /// <summary>"name/clock[/channels]" as written after the payload type in a=rtpmap.</summary>
    public string ToRtpmapValue() => Channels is int channels
        ? string.Create(CultureInfo.InvariantCulture, $"{Name}/{ClockRate}/{channels}")
        : string.Create(CultureInfo.InvariantCulture, $"{Name}/{ClockRate}");

    /// <summary>A deep copy, so that two descriptions never share a mutable feedback list.</summary>
    public RtpCodec Clone()
    {
        var copy = new RtpCodec
        {
            PayloadType = PayloadType,
            Name = Name,
            ClockRate = ClockRate,
            Channels = Channels,
            Fmtp = Fmtp,
        };
        foreach (string fb in RtcpFeedback)
        {
            copy.RtcpFeedback.Add(fb);
        }

        return copy;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {ToRtpmapValue()}");
}
