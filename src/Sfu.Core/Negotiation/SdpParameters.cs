namespace Sfu.Core.Negotiation;

/// <summary>
/// Reads "key=value;key=value" parameter lists as used by a=fmtp (RFC 8866 §6.15, format-specific)
/// and a=rid restrictions (RFC 8851 §4). A token without '=' maps to an empty value, so fmtp forms
/// like RED's "111/111" or telephone-event's "0-15" stay visible. The first occurrence of a key wins.
/// </summary>
internal static class SdpParameters
{
    private static readonly IReadOnlyDictionary<string, string> Empty =
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyDictionary<string, string> Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Empty;
        }

        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? part : part[..eq].Trim();
            string value = eq < 0 ? string.Empty : part[(eq + 1)..].Trim();
            if (key.Length > 0)
            {
                result.TryAdd(key, value);
            }
        }

        return result;
    }
}
