
namespace Sfu.Core.Routing;

/// <summary>The answer to a participant's offer and the tracks the offer started or stopped.</summary>
public sealed record OfferOutcome(string AnswerSdp, IReadOnlyList<Producer> Published, IReadOnlyList<Producer> Unpublished);
