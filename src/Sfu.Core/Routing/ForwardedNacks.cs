using Sfu.Core.Feedback;
using Sfu.Core.Sessions;
using Sfu.Core.Streams;

namespace Sfu.Core.Routing;

/// <summary>
/// Subscribers' NACKs (RFC 4585 §6.2.1) for packets of one relayed layer that this node's
/// buffer does not hold — older than it keeps, or never kept because the buffers' memory was
/// spent — passed on to the track's node, which answers from its own buffer over the relay as
/// RTX (RFC 4588). Each waiting request remembers the subscriber's down-track and how its copy
/// was numbered and stamped, so the answer reaches exactly the subscribers that asked,
/// rewritten as their first copy was. Everything here is bounded by what a subscriber cannot
/// change: a sequence number is asked of the track's node at most once per retry interval (the
/// layer's NACK retry interval: a round trip and a little) however many subscribers want it and
/// however often they ask; a request unanswered after <see cref="RtpReceiveStream.NackGiveUp"/>
/// is dropped; at most <see cref="Capacity"/> wait (a new one takes the oldest's place).
/// Allocated at a layer's first such NACK; nothing per packet. Media path only (the room's media gate).
/// </summary>
internal sealed class ForwardedNacks(long frequency)
{
    /// <summary>Requests that wait at once: two NACK packets' worth at <see cref="NackResponder.MaxResendsPerNack"/> each.</summary>
    public const int Capacity = 2 * NackResponder.MaxResendsPerNack;

    private readonly Request[] _requests = new Request[Capacity];
    private readonly long _frequency = frequency;
    private readonly long _giveUpTicks = (long)(RtpReceiveStream.NackGiveUp.TotalSeconds * frequency);
    private int _count;

    /// <summary>Requests waiting for an answer.</summary>
    public int Count => _count;

    /// <summary>
    /// <paramref name="downTrack"/>'s subscriber NACKed its <paramref name="outputSequenceNumber"/>,
    /// which carried <paramref name="sequenceNumber"/> of this layer stamped with <paramref name="timestampOffset"/>.
    /// A request the subscriber repeats while it waits changes nothing.
    /// </summary>
    public void Add(DownTrack downTrack, ushort sequenceNumber, ushort outputSequenceNumber, uint timestampOffset, long now)
    {
        long askedAt = 0;
        int free = -1;
        int oldest = -1;
        for (int i = 0; i < _requests.Length; i++)
        {
            ref Request request = ref _requests[i];
            if (request.DownTrack is null)
            {
                free = free < 0 ? i : free;
                continue;
            }

            if (oldest < 0 || request.Since < _requests[oldest].Since)
            {
                oldest = i;
            }

            if (request.SequenceNumber == sequenceNumber)
            {
                if (ReferenceEquals(request.DownTrack, downTrack))
                {
                    return;
                }

                // Another subscriber's request for the same packet went up already: not again.
                askedAt = Math.Max(askedAt, request.AskedAt);
            }
        }

        if (free < 0)
        {
            free = oldest;
            _count--;
        }

        _requests[free] = new Request(downTrack, sequenceNumber, outputSequenceNumber, timestampOffset, now, askedAt);
        _count++;
    }

    /// <summary>
    /// Sends the track's node one NACK naming the sequence numbers due — not asked within
    /// <paramref name="retryInterval"/>, each once, at most <see cref="NackRequester.MaxPerNack"/>
    /// (the rest wait for the next packet) — and drops the requests past
    /// <see cref="RtpReceiveStream.NackGiveUp"/>. Returns the sequence numbers asked for.
    /// </summary>
    public int SendDue(IRtcpSender upstream, uint reportSsrc, uint mediaSsrc, TimeSpan retryInterval, long now)
    {
        long retryTicks = (long)(retryInterval.TotalSeconds * _frequency);
        Span<ushort> due = stackalloc ushort[NackRequester.MaxPerNack];
        int written = 0;
        for (int i = 0; i < _requests.Length && _count > 0; i++)
        {
            ref Request request = ref _requests[i];
            if (request.DownTrack is null)
            {
                continue;
            }

            if (now - request.Since > _giveUpTicks)
            {
                request = default;
                _count--;
                continue;
            }

            if (request.AskedAt != 0 && now - request.AskedAt < retryTicks)
            {
                continue;
            }

            if (due[..written].Contains(request.SequenceNumber))
            {
                request.AskedAt = now;
            }
            else if (written < due.Length)
            {
                due[written++] = request.SequenceNumber;
                request.AskedAt = now;
            }
        }

        return written > 0 && NackRequester.Send(upstream, reportSsrc, mediaSsrc, due[..written]) ? written : 0;
    }

    /// <summary>
    /// The track's node resent <paramref name="packet"/> (as its publisher sent it): to each
    /// subscriber that waits for it, numbered and stamped as its first copy was; their requests
    /// are done. Returns the resends sent.
    /// </summary>
    public int Answer(ushort sequenceNumber, ReadOnlySpan<byte> packet, uint timestamp, Span<byte> scratch)
    {
        int sent = 0;
        for (int i = 0; i < _requests.Length && _count > 0; i++)
        {
            ref Request request = ref _requests[i];
            if (request.DownTrack is not { } downTrack || request.SequenceNumber != sequenceNumber)
            {
                continue;
            }

            if (downTrack.ResendFromOrigin(packet, request.OutputSequenceNumber, unchecked(timestamp + request.TimestampOffset), scratch))
            {
                sent++;
            }

            request = default;
            _count--;
        }

        return sent;
    }

    /// <summary>The requests for <paramref name="sequenceNumber"/> are done: the packet reaches their subscribers another way.</summary>
    public void Forget(ushort sequenceNumber)
    {
        for (int i = 0; i < _requests.Length && _count > 0; i++)
        {
            ref Request request = ref _requests[i];
            if (request.DownTrack is not null && request.SequenceNumber == sequenceNumber)
            {
                request = default;
                _count--;
            }
        }
    }

    /// <summary>One subscriber's wait for one packet; AskedAt is 0 until the track's node is asked.</summary>
    private struct Request(DownTrack downTrack, ushort sequenceNumber, ushort outputSequenceNumber, uint timestampOffset, long since, long askedAt)
    {
        public DownTrack? DownTrack = downTrack;
        public ushort SequenceNumber = sequenceNumber;
        public ushort OutputSequenceNumber = outputSequenceNumber;
        public uint TimestampOffset = timestampOffset;
        public long Since = since;
        public long AskedAt = askedAt;
    }
}
