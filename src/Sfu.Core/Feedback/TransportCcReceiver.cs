using Sfu.Core.Diagnostics;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;
using Sfu.Core.Sessions;

namespace Sfu.Core.Feedback;

/// <summary>
/// Transport-wide feedback for what a publisher sends us
/// (draft-holmer-rmcat-transport-wide-cc-extensions-01): the arrival time of every packet
/// carrying a transport-wide sequence number, reported back about every
/// <see cref="Interval"/> (as mediasoup and pion do), so the publisher's own send-side estimator
/// (Chromium's GoogCC) fits its rate and its simulcast layers to its uplink. Feedback goes out
/// from the media path when a packet finds the interval passed; a fixed ring, nothing
/// allocated per packet. Media path only (one thread at a time: its room's media gate).
/// </summary>
public sealed class TransportCcReceiver(IRtcpSender publisher, uint reportSsrc, MediaCounters counters, TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private const int Capacity = 1024;

    private readonly long[] _arrivals = new long[Capacity];
    private readonly Unwrapper<ushort> _sequence = new();
    private readonly long _intervalTicks = (long)(Interval.TotalSeconds * time.TimestampFrequency);
    private long _next = -1;
    private long _highest = -1;
    private long _lastFeedback;
    private uint _mediaSsrc;
    private byte _feedbackCount;

    /// <summary>Feedback packets sent.</summary>
    public long FeedbackSent { get; private set; }

    /// <summary>A packet with transport-wide sequence number <paramref name="sequenceNumber"/> arrived.</summary>
    public void OnPacket(ushort sequenceNumber, uint mediaSsrc, long now)
    {
        long extended = _sequence.Unwrap(sequenceNumber);
        if (_next < 0)
        {
            _next = extended;
            _lastFeedback = now;
        }

        // Older than what was reported already (it was reported lost), or absurdly far ahead.
        if (extended < _next || extended - _next >= Capacity)
        {
            if (extended - _next >= Capacity)
            {
                Flush(now);
                _next = extended;
            }
            else
            {
                return;
            }
        }

        if (extended > _highest)
        {
            for (long missing = Math.Max(_highest + 1, _next); missing < extended; missing++)
            {
                _arrivals[missing % Capacity] = -1;
            }

            _highest = extended;
        }

        _arrivals[extended % Capacity] = Micros(now);
        _mediaSsrc = mediaSsrc;
        if (now - _lastFeedback >= _intervalTicks || _highest - _next + 1 >= TransportWideFeedbackWriter.MaxPackets)
        {
            Flush(now);
        }
    }

    /// <summary>Reports every arrival not reported yet: one feedback, or more when it spans a long silence or more than one feedback holds.</summary>
    private void Flush(long now)
    {
        _lastFeedback = now;
        Span<long> arrivals = stackalloc long[TransportWideFeedbackWriter.MaxPackets];
        Span<byte> packet = stackalloc byte[TransportWideFeedbackWriter.MaxSize(TransportWideFeedbackWriter.MaxPackets)];
        while (_highest >= _next)
        {
            int count = (int)Math.Min(_highest - _next + 1, TransportWideFeedbackWriter.MaxPackets);
            for (int i = 0; i < count; i++)
            {
                arrivals[i] = _arrivals[(_next + i) % Capacity];
            }

            int length = TransportWideFeedbackWriter.TryWritePrefix(packet, reportSsrc, _mediaSsrc, unchecked((ushort)_next), arrivals[..count], _feedbackCount, out int reported);
            if (length <= 0)
            {
                // Nothing but losses (the first of a jump ahead): there is nothing to say of them.
                _next += count;
                continue;
            }

            _next += reported;
            if (publisher.SendRtcp(packet[..length]))
            {
                _feedbackCount++;
                FeedbackSent++;
                counters.TransportFeedbackSent();
            }
        }
    }

    /// <summary>Exact in integers: a double loses microseconds on clocks whose ticks count from a distant epoch.</summary>
    private long Micros(long ticks)
    {
        long frequency = time.TimestampFrequency;
        return ((ticks / frequency) * 1_000_000) + ((ticks % frequency) * 1_000_000 / frequency);
    }
}
