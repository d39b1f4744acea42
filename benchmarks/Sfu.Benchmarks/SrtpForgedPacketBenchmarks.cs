using BenchmarkDotNet.Attributes;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// Rejecting a 1,200-byte SRTP packet whose tag does not verify (RFC 3711 §3.3 step 5). This
/// is what a corrupted or forged datagram from a peer's selected address costs the receive
/// loop. The sequence number never advances (a failed packet moves no state), so every
/// operation reaches the tag check.
/// </summary>
[BenchmarkCategory(BenchmarkCategories.Rejection)]
public class SrtpForgedPacketBenchmarks : IDisposable
{
    private readonly byte[] _receive = new byte[TestMedia.BufferLength];
    private byte[] _forged = [];
    private SrtpContext? _context;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var ring = new ProtectedPacketRing(Profile, keySeed: 1, TestMedia.VideoPacket(TestMedia.FullPayloadLength), capacity: 1);
        _forged = ring.Next().ToArray();
        _forged[^1] ^= 0x01;
        _context = TestMedia.CreateContext(Profile, seed: 1);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _context?.Dispose();
        _context = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the <see cref="SrtpResult"/> as an int (3, AuthenticationFailed).</summary>
    [Benchmark]
    public int UnprotectForged()
    {
        _forged.CopyTo(_receive, 0);
        return (int)_context!.UnprotectRtp(_receive.AsSpan(0, _forged.Length), out _);
    }
}
