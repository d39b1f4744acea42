using Sfu.Core.Negotiation;

namespace Sfu.Core.Routing;

/// <summary>Signaling continuity when a participant's signaling connection is replaced.</summary>
public sealed partial class Participant
{
    /// <summary>
    /// Sends the outstanding server offer again, if there is one: it went to a connection
    /// that is gone, and without an answer no further renegotiation can start.
    /// </summary>
    public void ResendPendingOffer()
    {
        string sdp;
        lock (_negotiationGate)
        {
            if (IsClosed || _pendingOffer is null)
            {
                return;
            }

            sdp = SdpWriter.Write(_pendingOffer);
        }

        _ = SendOfferAsync(sdp);
    }
}
