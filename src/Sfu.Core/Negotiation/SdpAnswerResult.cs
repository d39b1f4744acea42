using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>Outcome of <see cref="SdpAnswerBuilder.Build(SessionDescription, LocalTransport, MediaCapabilities, IReadOnlyDictionary{string, SendStream})"/>: an answer, or why the offer cannot be answered.</summary>
public sealed class SdpAnswerResult
{
    private SdpAnswerResult(SessionDescription? answer, string? error, IReadOnlyList<RejectedSection> rejected)
    {
        Answer = answer;
        Error = error;
        Rejected = rejected;
    }

    public SessionDescription? Answer { get; }

    /// <summary>The offered sections the answer rejects (port 0), each with why; the offerer's own rejections are not listed.</summary>
    public IReadOnlyList<RejectedSection> Rejected { get; }

    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Answer))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Answer is not null;

    internal static SdpAnswerResult Ok(SessionDescription answer, IReadOnlyList<RejectedSection> rejected) => new(answer, null, rejected);

    internal static SdpAnswerResult Fail(string error) => new(null, error, []);

    public override string ToString() => Success ? "ok" : Error;
}
