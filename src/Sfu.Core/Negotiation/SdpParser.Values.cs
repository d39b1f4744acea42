namespace Sfu.Core.Negotiation;

/// <summary>Readers for attribute values that session and media level share.</summary>
public static partial class SdpParser
{
    private static string? SetRequired(string? arg, string name, Action<string> set)
    {
        if (string.IsNullOrEmpty(arg))
        {
            return $"a={name} needs a value";
        }

        set(arg);
        return null;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static void SplitAttribute(string value, out string name, out string? arg)
    {
        // a=<attribute>[:<value>] (RFC 8866 §5.13); the value may itself contain ':'.
        int colon = value.IndexOf(':', StringComparison.Ordinal);
        name = colon < 0 ? value : value[..colon];
        arg = colon < 0 ? null : value[(colon + 1)..];
    }

    private static Fingerprint? ParseFingerprint(string? arg, out string? error)
    {
        string[] f = (arg ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 2)
        {
            error = "a=fingerprint needs '<hash-func> <fingerprint>'";
            return null;
        }

        error = null;
        return new Fingerprint(f[0], f[1]);
    }

    private static DtlsSetup? ParseSetup(string? arg, out string? error)
    {
        error = null;
        switch (arg)
        {
            case "actpass":
                return DtlsSetup.ActPass;
            case "active":
                return DtlsSetup.Active;
            case "passive":
                return DtlsSetup.Passive;
            case "holdconn":
                return DtlsSetup.HoldConn;
            default:
                error = $"a=setup value '{Shorten(arg ?? string.Empty)}' is not actpass, active, passive or holdconn";
                return null;
        }
    }

    private static MediaDirection? ParseDirection(string token) => token switch
    {
        "sendrecv" => MediaDirection.SendRecv,
        "sendonly" => MediaDirection.SendOnly,
        "recvonly" => MediaDirection.RecvOnly,
        "inactive" => MediaDirection.Inactive,
        _ => null,
    };

    private static (string Head, string? Tail) SplitFirstSpace(string? arg)
    {
        string text = arg ?? string.Empty;
        int space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? (text, null) : (text[..space], text[(space + 1)..]);
    }
}
