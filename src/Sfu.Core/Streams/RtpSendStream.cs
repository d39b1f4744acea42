using System.Diagnostics.CodeAnalysis;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Streams;

/// <summary>
/// One RTP stream we send a subscriber, by our SSRC (mediasoup's RtpStreamSend): the
/// numbering it uses (<see cref="Translator"/>), what it has sent (for sender reports), how
/// the subscriber receives it (<see cref="Quality"/>, from its reports) and which packets were
/// resent lately, so a NACK repeated before our answer could arrive is not answered twice.
/// Written on the media path (under its room's media gate); counters and quality may be read from any thread.
/// </summary>
[SuppressMessage("Naming", "CA1711", Justification = "An RTP stream in the RFC 3550 sense, not a System.IO.Stream.")]
public sealed class RtpSendStream
{
    /// <summary>Resends remembered, by sequence number modulo this.</summary>
    private const int ResendSlots = 256;

    private readonly ushort[] _resentSequence = new ushort[ResendSlots];
    private readonly long[] _resentAt = new long[ResendSlots];
    private long _packets;
    private long _octets;

    public RtpSendStream(uint ssrc, MediaKind kind, int clockRate, ushort initialSequenceNumber, uint initialTimestamp, TimeProvider time)
    {
        Ssrc = ssrc;
        Kind = kind;
        ClockRate = clockRate;
        Translator = new SequenceTranslator(initialSequenceNumber, initialTimestamp);
        Quality = new ReceptionQuality(clockRate, time);
    }

    public uint Ssrc { get; }

    public MediaKind Kind { get; }

    public int ClockRate { get; }

    /// <summary>Source numbers to ours and back.</summary>
    public SequenceTranslator Translator { get; }

    /// <summary>Loss, jitter and round-trip time as the subscriber reports them.</summary>
    public ReceptionQuality Quality { get; }

    public long PacketsSent => Volatile.Read(ref _packets);

    /// <summary>Payload octets sent (RFC 3550 §6.4.1 sender's octet count).</summary>
    public long OctetsSent => Volatile.Read(ref _octets);

    /// <summary>Counts one packet sent; true for the first one.</summary>
    public bool OnSent(int payloadLength)
    {
        long packets = _packets + 1;
        Volatile.Write(ref _packets, packets);
        Volatile.Write(ref _octets, _octets + payloadLength);
        return packets == 1;
    }

    /// <summary>
    /// True when <paramref name="sequenceNumber"/> may be resent now: it was not resent within
    /// <paramref name="minIntervalTicks"/> (about one round trip: an earlier copy may still be on
    /// its way). Records the resend.
    /// </summary>
    public bool TryBeginResend(ushort sequenceNumber, long now, long minIntervalTicks)
    {
        int slot = sequenceNumber % ResendSlots;
        if (_resentAt[slot] != 0 && _resentSequence[slot] == sequenceNumber && now - _resentAt[slot] < minIntervalTicks)
        {
            return false;
        }

        NoteResent(sequenceNumber, now);
        return true;
    }

    /// <summary>
    /// <paramref name="sequenceNumber"/> was resent at <paramref name="now"/> outside
    /// <see cref="TryBeginResend"/> (an answer that came later, from a relayed track's node), so
    /// a NACK the peer sent before it arrived is not acted on again.
    /// </summary>
    public void NoteResent(ushort sequenceNumber, long now)
    {
        int slot = sequenceNumber % ResendSlots;
        _resentSequence[slot] = sequenceNumber;
        _resentAt[slot] = now;
    }

    /// <summary>
    /// Writes our sender report for this stream (RFC 3550 §6.4.1) followed by an SDES CNAME
    /// chunk (§6.5.1; RTCP compounds start with a report and carry the CNAME). Returns the
    /// length, or -1 when it does not fit.
    /// </summary>
    public int WriteSenderReport(Span<byte> destination, ulong ntpTimestamp, uint rtpTimestamp, ReadOnlySpan<byte> cnameUtf8)
    {
        int length = SenderReport.TryWrite(destination, Ssrc, ntpTimestamp, rtpTimestamp, (uint)PacketsSent, (uint)OctetsSent, []);
        if (length <= 0)
        {
            return -1;
        }

        int cname = SourceDescription.TryWriteCname(destination[length..], Ssrc, cnameUtf8);
        return cname > 0 ? length + cname : length;
    }
}
