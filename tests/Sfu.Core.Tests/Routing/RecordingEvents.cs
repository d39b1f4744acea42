using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

/// <summary>A participant's signaling as the engine sees it: every server offer it was sent, in order.</summary>
internal sealed class RecordingEvents : IParticipantEvents
{
    public List<string> Offers { get; } = [];

    public Task OfferAsync(string sdp)
    {
        lock (Offers)
        {
            Offers.Add(sdp);
        }

        return Task.CompletedTask;
    }

    public Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished) => Task.CompletedTask;
}
