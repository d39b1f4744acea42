using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Feedback;

/// <summary>
/// Asks a publisher for a keyframe of one of its streams (RFC 4585 §6.3.1 PLI), at most once
/// per interval however many subscribers ask: each join, resume or decoder error of a
/// subscriber would otherwise cost the publisher a keyframe. Any thread.
/// </summary>
public sealed class KeyframeRequester(IRtcpSender publisher, uint reportSsrc, uint mediaSsrc, MediaCounters counters, TimeProvider time)
{
    private long _last = long.MinValue;

    /// <summary>Sends a PLI unless one went out less than <paramref name="minInterval"/> ago; true when one was sent.</summary>
    public bool Request(TimeSpan minInterval, KeyframeRequestReason reason)
    {
        long now = time.GetTimestamp();
        long last = Volatile.Read(ref _last);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < minInterval)
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _last, now, last) != last)
        {
            return false;
        }

        Span<byte> pli = stackalloc byte[PictureLossIndication.Size];
        if (PictureLossIndication.TryWrite(pli, reportSsrc, mediaSsrc) > 0 && publisher.SendRtcp(pli))
        {
            counters.PliSent(reason);
            return true;
        }

        return false;
    }
}
