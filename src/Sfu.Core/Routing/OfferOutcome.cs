using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>
/// The answer to a participant's offer, the tracks the offer started or stopped, and the
/// sections the answer rejected with why (the participant is told, not left guessing).
/// </summary>
public sealed record OfferOutcome(string AnswerSdp, IReadOnlyList<Producer> Published, IReadOnlyList<Producer> Unpublished, IReadOnlyList<RejectedSection> Rejected)
{
    /// <summary>
    /// The mids of sections the participant offered to send on but may not publish
    /// (<see cref="ParticipantPermissions.CanPublish"/>): answered so that nothing is sent.
    /// </summary>
    public IReadOnlyList<string> PublishRefused { get; init; } = [];
}
