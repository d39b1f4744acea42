using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Sfu.Core.Srtp;

namespace Sfu.Benchmarks;

/// <summary>
/// The platform primitives SRTP is built on, called directly on the same sizes: what SRTP
/// protection would cost with no per-packet work of ours. Compare with
/// <see cref="SrtpProtectBenchmarks"/> to see what the SRTP layer adds. <see cref="OurAesGcmEncrypt"/>
/// is the same seal on our own AES-NI/PCLMULQDQ code (<see cref="Aes128Gcm"/>), which SRTP uses
/// where the CPU has those instructions; <see cref="AesGcmEncrypt"/> is the platform's (OpenSSL).
/// </summary>
[BenchmarkCategory(BenchmarkCategories.HotPath)]
public class CryptoBaselineBenchmarks : IDisposable
{
    private readonly byte[] _buffer = new byte[TestMedia.BufferLength];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _tag = new byte[20];
    private readonly byte[] _header = new byte[TestMedia.VideoHeaderLength];
    private AesGcm? _gcm;
    private Aes128Gcm? _ours;
    private IncrementalHash? _hmac;

    [Params(100, 1200)]
    public int PayloadLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] key = new byte[16];
        key.AsSpan().Fill(0x42);
        _gcm = new AesGcm(key, 16);
        _ours = new Aes128Gcm(key);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, new byte[20]);
    }

    /// <summary>One AES-128-GCM seal of the payload with the RTP header as AAD (RFC 7714 §8.2). Returns the tag's first byte.</summary>
    [Benchmark]
    public int AesGcmEncrypt()
    {
        _nonce[11]++;
        Span<byte> payload = _buffer.AsSpan(0, PayloadLength);
        _gcm!.Encrypt(_nonce, payload, payload, _tag.AsSpan(0, 16), _header);
        return _tag[0] + 1;
    }

    /// <summary>The same seal with <see cref="Aes128Gcm"/> (the platform's when the CPU lacks AES-NI). Returns the tag's first byte.</summary>
    [Benchmark]
    public int OurAesGcmEncrypt()
    {
        _nonce[11]++;
        Span<byte> payload = _buffer.AsSpan(0, PayloadLength);
        _ours!.Encrypt(_nonce, payload, payload, _tag.AsSpan(0, 16), _header);
        return _tag[0] + 1;
    }

    /// <summary>One HMAC-SHA1 over header + payload (RFC 3711 §4.2.1), without the AES-CM part. Returns the byte count hashed.</summary>
    [Benchmark]
    public int HmacSha1()
    {
        int length = TestMedia.VideoHeaderLength + PayloadLength;
        _hmac!.AppendData(_buffer.AsSpan(0, length));
        _hmac.GetHashAndReset(_tag);
        return length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _gcm?.Dispose();
        _ours?.Dispose();
        _ours = null;
        _hmac?.Dispose();
        _gcm = null;
        _hmac = null;
        GC.SuppressFinalize(this);
    }
}
