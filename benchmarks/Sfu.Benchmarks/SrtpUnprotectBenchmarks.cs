using BenchmarkDotNet.Attributes;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// Unprotecting one received SRTP packet (RFC 3711 §3.3) for both profiles. Each operation
/// copies the next packet of a pre-protected, in-order stream into the receive buffer (what
/// the kernel does on receive) and unprotects it there with one long-lived receiver context.
/// </summary>
/// <remarks>
/// Honesty about the replay window (§3.3.2): every packet has a new, higher index, so each
/// one is fully authenticated and decrypted; none is rejected early as a replay. The stream
/// is protected ahead in a ring of <see cref="RingCapacity"/> packets refilled before every
/// iteration (outside the measurement), and each iteration runs exactly that many operations.
/// </remarks>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
[InvocationCount(RingCapacity, 1)]
public class SrtpUnprotectBenchmarks : IDisposable
{
    /// <summary>Operations per iteration; also the ring size.</summary>
    public const int RingCapacity = 16384;

    private readonly byte[] _receive = new byte[TestMedia.BufferLength];
    private ProtectedPacketRing? _ring;
    private SrtpContext? _context;

    [Params(SrtpProfile.Aes128CmHmacSha1_80, SrtpProfile.AeadAes128Gcm)]
    public SrtpProfile Profile { get; set; }

    [Params(100, 1200)]
    public int PayloadLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ring = new ProtectedPacketRing(Profile, keySeed: 1, TestMedia.VideoPacket(PayloadLength), RingCapacity);
        _context = TestMedia.CreateContext(Profile, seed: 1);
    }

    [IterationSetup]
    public void Refill() => _ring!.Refill();

    [GlobalCleanup]
    public void Dispose()
    {
        _ring?.Dispose();
        _context?.Dispose();
        _ring = null;
        _context = null;
        GC.SuppressFinalize(this);
    }

    /// <summary>Returns the plain RTP length (header 28 + payload), or -1 on any rejection.</summary>
    [Benchmark]
    public int Unprotect()
    {
        ReadOnlySpan<byte> wire = _ring!.Next();
        wire.CopyTo(_receive);
        return _context!.UnprotectRtp(_receive.AsSpan(0, wire.Length), out int length) == SrtpResult.Ok ? length : -1;
    }

    /// <summary>For the smoke test: the receive buffer after the last operation.</summary>
    internal ReadOnlySpan<byte> Received => _receive;
}
