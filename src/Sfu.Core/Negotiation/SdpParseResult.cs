using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>
/// Outcome of <see cref="SdpParser.Parse"/>: either a description or an error that names the
/// 1-based line it is about (0 when it concerns the text as a whole).
/// </summary>
public sealed class SdpParseResult
{
    private SdpParseResult(SessionDescription? description, string? error, int lineNumber)
    {
        Description = description;
        Error = error;
        LineNumber = lineNumber;
    }

    public SessionDescription? Description { get; }

    /// <summary>Human-readable reason, already prefixed with "line N: " when tied to a line.</summary>
    public string? Error { get; }

    public int LineNumber { get; }

    [MemberNotNullWhen(true, nameof(Description))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Description is not null;

    internal static SdpParseResult Ok(SessionDescription description) => new(description, null, 0);

    internal static SdpParseResult Fail(int lineNumber, string reason) =>
        new(null, lineNumber > 0 ? $"line {lineNumber}: {reason}" : reason, lineNumber);

    public override string ToString() => Success ? "ok" : Error;
}
