namespace Sfu.Core.Tests.Negotiation.Fixtures;

internal static class SdpText
{
    /// <summary>Browsers send CRLF (RFC 8866 §5); fixtures are stored with LF.</summary>
    public static string Crlf(string lf) => lf.ReplaceLineEndings("\r\n") + "\r\n";

    public static IEnumerable<string> Lines(string sdp) =>
        sdp.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
