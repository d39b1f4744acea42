using System.Buffers.Binary;
using Sfu.Core.Rtp;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// A publisher's SRTP stream, prepared ahead of time: <see cref="Capacity"/> protected copies
/// of one plain packet with consecutive sequence numbers. Receive-side benchmarks take one
/// packet per operation and the ring is refilled between BenchmarkDotNet iterations, so the
/// receiver sees an endless in-order stream and never a replay (RFC 3711 §3.3.2), while the
/// cost of protecting it stays outside the measurement.
/// </summary>
/// <remarks>
/// Sequence numbers keep increasing across refills (wrapping at 2^16 moves the ROC, as a real
/// sender does), so one long-lived receiver context is used, as in the server. Refilling
/// allocates nothing: if a caller runs past the end, the ring refills in line rather than
/// replaying old indices (that would be measured, so benchmarks size their invocation count to
/// the capacity). When the packet carries a transport-wide sequence number, each copy gets the
/// next one, as a browser numbers every packet it sends. A ring may also play a lossy uplink:
/// every <c>lossEvery</c>-th packet is left out, so the receiver sees a gap in both numberings.
/// </remarks>
internal sealed class ProtectedPacketRing : IDisposable
{
    private readonly SrtpContext _sender;
    private readonly bool _ownsSender;
    private readonly byte[] _plain;
    private readonly byte[] _storage;
    private readonly int[] _lengths;
    private readonly int _stride;
    private readonly int _transportCcOffset;
    private readonly int _lossEvery;
    private ushort _nextTransportSequence = 1;
    private long _numbered;
    private ushort _nextSequence = TestMedia.FirstSequenceNumber;
    private uint _timestamp = TestMedia.FirstTimestamp;
    private int _cursor;

    public ProtectedPacketRing(SrtpProfile profile, byte keySeed, byte[] plainPacket, int capacity)
        : this(TestMedia.CreateContext(profile, keySeed), plainPacket, capacity, ownsSender: true)
    {
    }

    /// <summary>A ring protected with a context keyed elsewhere (a DTLS handshake); the caller keeps it.</summary>
    /// <param name="transportCcOffset">Where the packet's 2-byte transport-wide sequence number sits, or -1 when it has none.</param>
    /// <param name="lossEvery">Every this many packets one is lost on the way (0: none).</param>
    public ProtectedPacketRing(SrtpContext sender, byte[] plainPacket, int capacity, int transportCcOffset = -1, int lossEvery = 0)
        : this(sender, plainPacket, capacity, ownsSender: false, transportCcOffset, lossEvery)
    {
    }

    private ProtectedPacketRing(SrtpContext sender, byte[] plainPacket, int capacity, bool ownsSender, int transportCcOffset = -1, int lossEvery = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lossEvery);
        ArgumentNullException.ThrowIfNull(plainPacket);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _sender = sender;
        _ownsSender = ownsSender;
        _transportCcOffset = transportCcOffset;
        _lossEvery = lossEvery;
        _plain = plainPacket;
        _stride = plainPacket.Length + SrtpContext.MaxRtpOverhead;
        _storage = new byte[capacity * _stride];
        _lengths = new int[capacity];
        Capacity = capacity;
        Refill();
    }

    public int Capacity { get; }

    /// <summary>Packets left before the next refill.</summary>
    public int Remaining => Capacity - _cursor;

    /// <summary>Protects the next <see cref="Capacity"/> packets of the stream.</summary>
    public void Refill()
    {
        for (int i = 0; i < Capacity; i++)
        {
            Span<byte> slot = _storage.AsSpan(i * _stride, _stride);
            _plain.CopyTo(slot);
            RtpHeader.SetSequenceNumber(slot, _nextSequence);
            RtpHeader.SetTimestamp(slot, _timestamp);
            if (_transportCcOffset >= 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(slot[_transportCcOffset..], _nextTransportSequence++);
            }

            Advance();
            if (_lossEvery > 0 && ++_numbered % _lossEvery == 0)
            {
                // This one never arrives: its numbers are used up all the same.
                Advance();
                _nextTransportSequence++;
            }

            SrtpResult result = _sender.ProtectRtp(slot, _plain.Length, out int length);
            if (result != SrtpResult.Ok)
            {
                throw new InvalidOperationException($"Protecting the benchmark stream failed: {result}.");
            }

            _lengths[i] = length;
        }

        _cursor = 0;
    }

    private void Advance()
    {
        _nextSequence++;

        // About 30 fps of 10 packets per frame at 90 kHz: a new timestamp every 10 packets.
        if (_nextSequence % 10 == 0)
        {
            _timestamp += 3000;
        }
    }

    /// <summary>The next protected packet (read only: copy it into a receive buffer first).</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (_cursor == Capacity)
        {
            Refill();
        }

        int i = _cursor++;
        return _storage.AsSpan(i * _stride, _lengths[i]);
    }

    public void Dispose()
    {
        if (_ownsSender)
        {
            _sender.Dispose();
        }
    }
}
