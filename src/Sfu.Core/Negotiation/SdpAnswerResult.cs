using System.Diagnostics.CodeAnalysis;

namespace Sfu.Core.Negotiation;

/// <summary>Outcome of <see cref="SdpAnswerBuilder.Build(SessionDescription, LocalTransport, MediaCapabilities, IReadOnlyDictionary{string, SendStream})"/>: an answer, or why the offer cannot be answered.</summary>
public sealed class SdpAnswerResult
{
    private SdpAnswerResult(SessionDescription? answer, string? error)
    {
        Answer = answer;
        Error = error;
    }

    public SessionDescription? Answer { get; }

    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Answer))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Answer is not null;

    internal static SdpAnswerResult Ok(SessionDescription answer) => new(answer, null);

    internal static SdpAnswerResult Fail(string error) => new(null, error);

    public override string ToString() => Success ? "ok" : Error;
}
