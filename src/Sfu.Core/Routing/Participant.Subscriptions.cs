namespace Sfu.Core.Routing;

/// <summary>Which of the tracks forwarded to this participant it wants to receive right now.</summary>
public sealed partial class Participant
{
    /// <summary>
    /// Pauses or resumes the track this participant receives in its m-section
    /// <paramref name="mid"/> (the browser knows a remote track by its transceiver's mid).
    /// Nothing is renegotiated: the down-track keeps its SSRC and simply stops sending, and a
    /// resumed video track waits for a keyframe, which is asked for. False when no track is
    /// forwarded in that m-section.
    /// </summary>
    public bool SetReceiving(string mid, bool receive)
    {
        foreach (DownTrack downTrack in _downTracks)
        {
            if (string.Equals(downTrack.Mid, mid, StringComparison.Ordinal))
            {
                downTrack.SetPaused(!receive);
                return true;
            }
        }

        return false;
    }
}
