using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Sfu.Core.Srtp;

/// <summary>
/// AES in counter mode (RFC 3711 §4.1.1): keystream block i is AES_k(IV + i mod 2^128), and the
/// data is XORed with the keystream in place. Used both for the SRTP payload cipher and for
/// the key-derivation PRF (§4.3.3).
/// </summary>
/// <remarks>
/// The block cipher runs through a cached ECB <see cref="ICryptoTransform"/> over scratch
/// arrays owned by this instance: that reaches AES-NI through the platform library without
/// allocating, whereas the one-shot <c>Aes.EncryptEcb</c> allocates a native-cipher wrapper
/// per call. Not thread-safe: the scratch arrays are shared by every call.
/// </remarks>
internal sealed class AesCounterMode : IDisposable
{
    private const int BlockSize = 16;

    /// <summary>Keystream produced per native call; covers an MTU-sized payload in one call.</summary>
    private const int ChunkSize = 96 * BlockSize;

    private readonly Aes _aes;
    private readonly ICryptoTransform _ecb;
    private readonly byte[] _counters = new byte[ChunkSize];
    private readonly byte[] _keystream = new byte[ChunkSize];

    public AesCounterMode(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        _aes.Key = key.ToArray();
        _aes.Mode = CipherMode.ECB;
        _aes.Padding = PaddingMode.None;
#pragma warning disable CA5358 // ECB is only the raw block function here; the mode is counter mode.
        _ecb = _aes.CreateEncryptor();
#pragma warning restore CA5358
    }

    /// <summary>XORs <paramref name="data"/> with the keystream that starts at counter block <paramref name="iv"/>.</summary>
    public void Apply(ReadOnlySpan<byte> iv, Span<byte> data)
    {
        ulong high = BinaryPrimitives.ReadUInt64BigEndian(iv);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);

        while (!data.IsEmpty)
        {
            int chunk = Math.Min(data.Length, ChunkSize);
            int blocks = (chunk + BlockSize - 1) / BlockSize;
            Span<byte> counters = _counters;
            for (int b = 0; b < blocks; b++)
            {
                Span<byte> block = counters.Slice(b * BlockSize, BlockSize);
                BinaryPrimitives.WriteUInt64BigEndian(block, high);
                BinaryPrimitives.WriteUInt64BigEndian(block[8..], low);

                // IV + i is taken mod 2^128, so the low word carries into the high word.
                low++;
                if (low == 0)
                {
                    high++;
                }
            }

            _ecb.TransformBlock(_counters, 0, blocks * BlockSize, _keystream, 0);
            Xor(data[..chunk], _keystream.AsSpan(0, chunk));
            data = data[chunk..];
        }
    }

    private static void Xor(Span<byte> destination, ReadOnlySpan<byte> keystream)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<byte>.Count;
            for (; i <= destination.Length - width; i += width)
            {
                Vector<byte> mixed = new Vector<byte>(destination[i..]) ^ new Vector<byte>(keystream[i..]);
                mixed.CopyTo(destination[i..]);
            }
        }

        for (; i < destination.Length; i++)
        {
            destination[i] ^= keystream[i];
        }
    }

    public void Dispose()
    {
        _ecb.Dispose();
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_keystream);
    }
}
