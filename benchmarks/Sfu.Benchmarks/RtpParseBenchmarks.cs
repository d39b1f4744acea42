using BenchmarkDotNet.Attributes;
using Sfu.Core.Rtp;

namespace Sfu.Benchmarks;

/// <summary>
/// Parsing one received 1,200-byte video packet with Chromium's one-byte header extensions
/// (RFC 3550 §5.1, RFC 8285 §4.2): the layout check alone, then with the extension walk a
/// forwarder does (read every element, find transport-cc by id).
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
public class RtpParseBenchmarks
{
    private byte[] _packet = [];

    [GlobalSetup]
    public void Setup() => _packet = TestMedia.VideoPacket(TestMedia.FullPayloadLength);

    /// <summary>Returns the payload length (1,172 for the fixture).</summary>
    [Benchmark(Baseline = true)]
    public int Parse()
    {
        return RtpPacket.TryParse(_packet, out RtpPacket view) == RtpParseResult.Ok ? view.Payload.Length : -1;
    }

    /// <summary>Returns the sum over elements of id + length, plus the transport-cc sequence number.</summary>
    [Benchmark]
    public int ParseAndReadExtensions()
    {
        if (RtpPacket.TryParse(_packet, out RtpPacket view) != RtpParseResult.Ok)
        {
            return -1;
        }

        int sum = 0;
        foreach (RtpHeaderExtension element in view.Extensions)
        {
            sum += element.Id + element.Value.Length;
        }

        if (view.TryGetExtension(4, out ReadOnlySpan<byte> transportCc) && transportCc.Length == 2)
        {
            sum += (transportCc[0] << 8) | transportCc[1];
        }

        return sum;
    }
}
