using System.Buffers.Binary;
using Sfu.Core.Rtp;

namespace Sfu.LoadTest;

/// <summary>
/// Counts RTP packets from their header alone, without decrypting anything: SRTP encrypts only
/// the payload and leaves the fixed header in the clear (RFC 3711 §3.1), so the SSRC and the
/// sequence number can be read from every protected packet. Per SSRC it keeps the packets, the
/// first and the highest extended sequence number (wrap-around unwrapped to 64 bits), which is
/// what the loss column needs: expected = highest − first + 1 (RFC 3550 §A.3).
/// </summary>
/// <remarks>One writer (the reader thread); <see cref="Get"/> and <see cref="Ssrcs"/> from any thread.</remarks>
internal sealed class ClearRtpCounter
{
    /// <summary>RFC 3550 §5.1: the fixed header, up to and including the SSRC.</summary>
    public const int FixedHeaderLength = 12;

    private const int SequenceOffset = 2;
    private const int SsrcOffset = 8;

    private readonly Lock _gate = new();
    private readonly Dictionary<uint, Stream> _streams = [];
    private long _bytes;
    private long _malformed;

    /// <summary>UDP payload bytes of every packet counted.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Datagrams too short for an RTP header or not of version 2.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Counts one RTP (or SRTP) packet; anything that is not RTP version 2 is only counted as malformed.</summary>
    public void Count(ReadOnlySpan<byte> datagram)
    {
        if (datagram.Length < FixedHeaderLength || datagram[0] >> 6 != 2)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }

        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(datagram[SsrcOffset..]);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(datagram[SequenceOffset..]);
        Interlocked.Add(ref _bytes, datagram.Length);
        lock (_gate)
        {
            if (!_streams.TryGetValue(ssrc, out Stream? stream))
            {
                stream = new Stream();
                _streams.Add(ssrc, stream);
            }

            long extended = stream.Sequence.Unwrap(sequence);
            if (stream.First < 0)
            {
                stream.First = extended;
            }

            stream.Packets++;
        }
    }

    /// <summary>Packets counted on <paramref name="ssrc"/> and packets its sequence numbers say were sent; zeros before the first.</summary>
    public (long Packets, long Expected) Get(uint ssrc)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(ssrc, out Stream? s) ? (s.Packets, s.Sequence.Highest - s.First + 1) : (0, 0);
        }
    }

    /// <summary>Every SSRC seen so far.</summary>
    public IReadOnlyList<uint> Ssrcs()
    {
        lock (_gate)
        {
            return [.. _streams.Keys];
        }
    }

    private sealed class Stream
    {
        public Unwrapper<ushort> Sequence { get; } = new();

        public long First { get; set; } = -1;

        public long Packets { get; set; }
    }
}
