using Sfu.Core.Diagnostics;
using Sfu.Core.Negotiation;
using Sfu.Core.Sessions;

namespace Sfu.Core.Routing;

/// <summary>
/// The bounds an offer must keep before anything is built from it (<see cref="MediaLimits"/>):
/// its length and its m-section count are checked on the text, before it is parsed, and the
/// tracks it would publish before any section is taken on. A refused offer leaves no trace:
/// no slot, no producer, no server offer to anyone else. The reasons are written for the client.
/// </summary>
internal static class OfferLimits
{
    /// <summary>Refuses text longer than the limit or with more m-sections; one pass, nothing allocated.</summary>
    public static void CheckText(string sdp, MediaLimits limits, MediaCounters counters, string what)
    {
        if (limits.MaxSdpLength > 0 && sdp.Length > limits.MaxSdpLength)
        {
            counters.OfferRefused();
            throw new SignalingException(
                $"The {what} is {sdp.Length:N0} characters long; at most {limits.MaxSdpLength:N0} are accepted (Sfu:Limits:MaxSdpLength).");
        }

        if (limits.MaxSectionsPerOffer > 0)
        {
            // Every m= line starts a line (RFC 8866 §5); the first line is v=, so each follows a newline.
            int sections = sdp.AsSpan().Count("\nm=");
            if (sections > limits.MaxSectionsPerOffer)
            {
                counters.OfferRefused();
                throw new SignalingException(
                    $"The {what} has {sections:N0} m-sections; at most {limits.MaxSectionsPerOffer:N0} are accepted (Sfu:Limits:MaxSectionsPerOffer).");
            }
        }
    }

    /// <summary>
    /// Refuses an offer that would have the participant publish more tracks than the limit:
    /// every audio or video section it sends on, except sections that carry a track we send it
    /// (those publish nothing).
    /// </summary>
    public static void CheckPublished(SessionDescription offer, MediaSlots slots, MediaLimits limits, MediaCounters counters, bool canPublish)
    {
        if (!canPublish || limits.MaxPublishedTracks <= 0)
        {
            return;
        }

        int tracks = 0;
        foreach (MediaDescription media in offer.Media)
        {
            if (!media.IsRejected && media.Kind is MediaKind.Audio or MediaKind.Video && OfferedTracks.Sends(media)
                && (media.Mid is null || slots.Find(media.Mid) is not { DownTrack: not null }))
            {
                tracks++;
            }
        }

        if (tracks > limits.MaxPublishedTracks)
        {
            counters.OfferRefused();
            throw new SignalingException(
                $"The offer publishes {tracks} tracks; a participant may publish at most {limits.MaxPublishedTracks} (Sfu:Limits:MaxPublishedTracks).");
        }
    }
}
