namespace Sfu.Core.Routing;

/// <summary>What the media plane has to tell one participant's signaling connection.</summary>
public interface IParticipantEvents
{
    /// <summary>A server-initiated offer: subscriptions were added or removed.</summary>
    Task OfferAsync(string sdp);

    /// <summary>
    /// The media plane ended the participant (consent expired, DTLS failed, removed by an
    /// operator); <paramref name="unpublished"/> are the tracks that ended with it.
    /// </summary>
    Task RemovedAsync(string reason, IReadOnlyList<Producer> unpublished);

    /// <summary>
    /// Dynacast: of the simulcast track this participant publishes in m-section
    /// <paramref name="mid"/>, only the layers <paramref name="activeRids"/> are needed now; the
    /// others should stop at the encoder (RTCRtpSender.setParameters, active = false) until
    /// they are named again.
    /// </summary>
    Task LayersChangedAsync(string mid, IReadOnlyList<string> activeRids) => Task.CompletedTask;
}
