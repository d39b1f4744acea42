using System.Globalization;

namespace Sfu.Core.Negotiation;

/// <summary>
/// a=candidate (RFC 8839 §5.1):
/// <code>
/// candidate:&lt;foundation&gt; &lt;component&gt; &lt;transport&gt; &lt;priority&gt; &lt;address&gt; &lt;port&gt; typ &lt;type&gt; [extensions...]
/// candidate:1 1 udp 2130706431 203.0.113.5 40000 typ host
/// </code>
/// Everything after the type (raddr/rport/tcptype/generation/network-id...) is kept verbatim in
/// <see cref="Extensions"/>. Address may be an mDNS name ("uuid.local"); it is not resolved here.
/// </summary>
public sealed record IceCandidate(
    string Foundation,
    int Component,
    string Transport,
    uint Priority,
    string Address,
    int Port,
    string Type,
    string? Extensions = null)
{
    /// <summary>The attribute value after "candidate:", with single spaces between fields.</summary>
    public string ToAttributeValue()
    {
        string core = string.Create(
            CultureInfo.InvariantCulture,
            $"{Foundation} {Component} {Transport} {Priority} {Address} {Port} typ {Type}");
        return Extensions is null ? core : core + " " + Extensions;
    }

    /// <summary>
    /// Parses the attribute value (without the "candidate:" prefix). Returns null with a reason
    /// when a mandatory field is missing or not a number.
    /// </summary>
    public static IceCandidate? TryParse(string value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        string[] f = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 8 || !string.Equals(f[6], "typ", StringComparison.OrdinalIgnoreCase))
        {
            error = "a=candidate needs '<foundation> <component> <transport> <priority> <address> <port> typ <type>'";
            return null;
        }

        // Component ids are 1..256 (RFC 8445 §5.1.1.1 allows up to 256); priority is a 32-bit value.
        if (!int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int component) || component is < 1 or > 256)
        {
            error = $"a=candidate component '{f[1]}' is not a number 1-256";
            return null;
        }

        if (!uint.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out uint priority))
        {
            error = $"a=candidate priority '{f[3]}' is not a 32-bit number";
            return null;
        }

        if (!int.TryParse(f[5], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            error = $"a=candidate port '{f[5]}' is not a number 0-65535";
            return null;
        }

        string? extensions = f.Length > 8 ? string.Join(' ', f, 8, f.Length - 8) : null;
        error = null;
        return new IceCandidate(f[0], component, f[2], priority, f[4], port, f[7], extensions);
    }
}
