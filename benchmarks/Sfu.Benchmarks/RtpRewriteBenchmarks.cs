using BenchmarkDotNet.Attributes;
using Sfu.Core.Rtp;

namespace Sfu.Benchmarks;

/// <summary>
/// The per-subscriber copy of a 1,200-byte packet: extension ids translated (two kept and
/// renumbered, one renumbered, one dropped; RFC 8285 §5), then SSRC, sequence number,
/// timestamp and payload type re-stamped (RFC 3550 §5.1), as <c>DownTrack.Send</c> does.
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
public class RtpRewriteBenchmarks
{
    private readonly byte[] _destination = new byte[TestMedia.BufferLength];
    private byte[] _source = [];
    private ExtensionIdMap _map;
    private ushort _sequenceNumber;
    private uint _timestamp;

    [GlobalSetup]
    public void Setup()
    {
        _source = TestMedia.VideoPacket(TestMedia.FullPayloadLength);
        _map = TestMedia.SubscriberExtensionMap();
    }

    /// <summary>Returns the rewritten length (1,200: the dropped element frees only padding).</summary>
    [Benchmark]
    public int RewriteForSubscriber()
    {
        int length = RtpPacketRewriter.CopyWithExtensionMap(_source, _destination, _map);
        if (length < 0)
        {
            return -1;
        }

        Span<byte> copy = _destination.AsSpan(0, length);
        RtpHeader.SetSsrc(copy, 0x5000_0001);
        RtpHeader.SetSequenceNumber(copy, _sequenceNumber++);
        RtpHeader.SetTimestamp(copy, _timestamp += 3000);
        RtpHeader.SetPayloadType(copy, TestMedia.SubscriberPayloadType);
        return length;
    }

    /// <summary>For the smoke test: the last rewritten packet.</summary>
    internal ReadOnlySpan<byte> Destination => _destination;
}
