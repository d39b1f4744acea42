using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using AesNi = System.Runtime.Intrinsics.X86.Aes;

namespace Sfu.Core.Srtp;

/// <summary>
/// AES-128 in Galois/Counter Mode (NIST SP 800-38D) with a 96-bit IV and a 16-byte tag, on the
/// CPU's AES and carry-less multiply instructions: what every forwarded copy pays once. Where
/// the CPU lacks them (or when asked), the platform's <see cref="AesGcm"/> does the work instead.
/// </summary>
/// <remarks>
/// <para>
/// Why not <see cref="AesGcm"/>: on Linux each of its calls goes through OpenSSL 3's EVP layer,
/// which per packet re-initialises the cipher context, looks parameters up by name, clears the
/// error queue and frees what it allocated. At a fan-out of 200 that bookkeeping took more of
/// the media thread than the AES and GHASH work itself, and the context it touches is native
/// memory per subscriber that the fan-out cannot hint ahead. Here a packet is a loop over
/// registers, and the key schedule and hash-key powers live in this object.
/// </para>
/// <para>
/// The construction (SP 800-38D §7.1): H = E(K, 0¹²⁸); J₀ = IV ‖ 0³¹ ‖ 1; the payload is
/// XORed with E(K, inc₃₂ⁱ(J₀)), i ≥ 1; S = GHASH_H(A ‖ 0* ‖ C ‖ 0* ‖ [len A]₆₄ ‖ [len C]₆₄);
/// T = E(K, J₀) ⊕ S.
/// </para>
/// <para>
/// GHASH works on byte-reversed blocks, so that a block is one 128-bit integer whose top bit is
/// the coefficient of x⁰ (GCM's bit order, §6.3). A carry-less product of two such values comes
/// out shifted by one bit; multiplying by H' = H·x⁻¹ ("H twisted", computed once) instead of H
/// cancels that, so each product needs only Karatsuba's three multiplies and the two-step
/// reduction modulo x¹²⁸ + x⁷ + x² + x + 1 that follows from the reflected polynomial
/// 0xC2000…01. Eight blocks are hashed per reduction with H⁸…H¹: Y ← (Y ⊕ C₁)·H⁸ ⊕ C₂·H⁷ ⊕ … ⊕ C₈·H.
/// </para>
/// <para>
/// Constant time: the instructions used take the same time whatever the data, there are no
/// tables, and the tag is compared with <see cref="CryptographicOperations.FixedTimeEquals"/>.
/// </para>
/// </remarks>
internal sealed class Aes128Gcm : IDisposable
{
    public const int KeyLength = 16;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    private const int BlockLength = 16;
    private const int Rounds = 10;
    private const int Lanes = 8;

    /// <summary>
    /// Bytes from where a reference points (the method table pointer) through the round keys and
    /// hash powers: that pointer, the platform reference (the runtime places references first),
    /// 11 round keys and 8 powers of 16 bytes (what <see cref="Prefetch"/> hints).
    /// </summary>
    private const int ObjectBytes = 8 + 8 + ((Rounds + 1 + Lanes) * BlockLength);

    // Set when the platform's cipher does the work; the fields below are then unused.
    private readonly AesGcm? _platform;

    private RoundKeys _keys;

    // H'¹…H'⁸, the twisted powers of the hash key. Karatsuba's middle operand (the XOR of a
    // power's halves) is not kept: two instructions per block cost less than the two cache
    // lines it would add to every subscriber's context, which a fan-out reads once per copy.
    private HashPowers _powers;

    /// <param name="key">The 16-byte key.</param>
    /// <param name="platform">Use the platform's AES-GCM even where ours runs (tests of that path).</param>
    public Aes128Gcm(ReadOnlySpan<byte> key, bool platform = false)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException("AES-128-GCM takes a 16-byte key.", nameof(key));
        }

        if (platform || !IsSupported)
        {
            _platform = new AesGcm(key, TagLength);
            return;
        }

        ExpandKey(Vector128.Create(key), ref _keys);

        Vector128<ulong> h = Reverse(EncryptBlock(Vector128<byte>.Zero)).AsUInt64();
        Vector128<ulong> twisted = Twist(h);
        Vector128<ulong> power = twisted;
        for (int i = 0; i < Lanes; i++)
        {
            _powers[i] = power;
            power = Multiply(power, twisted);
        }
    }

    /// <summary>True where our code runs: x86-64 with AES-NI and PCLMULQDQ (everything since about 2010).</summary>
    public static bool IsSupported => AesNi.IsSupported && Pclmulqdq.IsSupported && Ssse3.IsSupported && Sse41.IsSupported;

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="ciphertext"/> (the same span, or
    /// one that does not overlap it) and writes the tag over <paramref name="associatedData"/> and
    /// the ciphertext.
    /// </summary>
    public void Encrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        if (_platform is not null)
        {
            _platform.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
            return;
        }

        CheckArguments(nonce, plaintext.Length, ciphertext.Length, tag.Length);
        Vector128<ulong> hash = HashAssociatedData(associatedData);
        Vector128<uint> counter = CounterBase(nonce);
        Crypt(counter, plaintext, ciphertext, ref hash, decrypting: false);
        Finish(counter, hash, associatedData.Length, plaintext.Length).CopyTo(tag);
    }

    /// <summary>
    /// Verifies <paramref name="tag"/> and decrypts <paramref name="ciphertext"/> into
    /// <paramref name="plaintext"/> (the same span, or one that does not overlap it). On a bad tag
    /// returns false and leaves <paramref name="plaintext"/> zeroed.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (_platform is not null)
        {
            return TryDecryptOnPlatform(_platform, nonce, ciphertext, tag, plaintext, associatedData);
        }

        CheckArguments(nonce, ciphertext.Length, plaintext.Length, tag.Length);
        Vector128<ulong> hash = HashAssociatedData(associatedData);
        Vector128<uint> counter = CounterBase(nonce);
        Crypt(counter, ciphertext, plaintext, ref hash, decrypting: true);
        Span<byte> expected = stackalloc byte[TagLength];
        Finish(counter, hash, associatedData.Length, ciphertext.Length).CopyTo(expected);
        if (CryptographicOperations.FixedTimeEquals(expected, tag))
        {
            return true;
        }

        CryptographicOperations.ZeroMemory(plaintext[..ciphertext.Length]);
        return false;
    }

    public void Dispose()
    {
        _platform?.Dispose();
        _keys = default;
        _powers = default;
    }

    /// <summary>
    /// Hints the CPU to load the round keys and hash powers ahead of the next encryption: each
    /// subscriber has its own, five or six cache lines read in full for every copy, and at a fan-out of
    /// hundreds they have left the cache by its next packet (see <see cref="CachePrefetch"/>).
    /// No effect on behaviour.
    /// </summary>
    internal void Prefetch() => CachePrefetch.Object(this, ObjectBytes);

    /// <summary>The platform reports a bad tag with an exception (and zeroes the output): caught here, so a forged packet never escapes as one.</summary>
    private static bool TryDecryptOnPlatform(AesGcm platform, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        try
        {
            platform.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private static void CheckArguments(ReadOnlySpan<byte> nonce, int inputLength, int outputLength, int tagLength)
    {
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException("AES-GCM here takes a 12-byte nonce.", nameof(nonce));
        }

        if (outputLength != inputLength)
        {
            throw new ArgumentException("The output must be as long as the input.");
        }

        if (tagLength != TagLength)
        {
            throw new ArgumentException("The tag is 16 bytes.");
        }
    }

    /// <summary>J₀ without its counter word: the nonce in lanes 0–2, lane 3 set per block.</summary>
    private static Vector128<uint> CounterBase(ReadOnlySpan<byte> nonce)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        nonce.CopyTo(block);
        block[NonceLength..].Clear();
        return Vector128.Create<byte>(block).AsUInt32();
    }

    /// <summary>inc₃₂ applied <paramref name="count"/> times to J₀ with a zero counter word: the counter is big-endian (SP 800-38D §6.2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> CounterBlock(Vector128<uint> counterBase, uint count)
        => Sse41.Insert(counterBase, BinaryPrimitives.ReverseEndianness(count), 3).AsByte();

    /// <summary>The tag: E(K, J₀) ⊕ GHASH after the lengths block.</summary>
    private Vector128<byte> Finish(Vector128<uint> counter, Vector128<ulong> hash, int associatedLength, int textLength)
    {
        Vector128<ulong> lengths = Vector128.Create((ulong)textLength * 8, (ulong)associatedLength * 8);
        hash = Multiply(hash ^ lengths, _powers[0]);
        return Reverse(hash.AsByte()) ^ EncryptBlock(CounterBlock(counter, 1));
    }

    private Vector128<ulong> HashAssociatedData(ReadOnlySpan<byte> data)
    {
        Vector128<ulong> hash = Vector128<ulong>.Zero;
        ref byte start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(data);
        int offset = 0;
        for (; offset + BlockLength <= data.Length; offset += BlockLength)
        {
            Vector128<byte> block = Vector128.LoadUnsafe(ref start, (nuint)offset);
            hash = Multiply(hash ^ Reverse(block).AsUInt64(), _powers[0]);
        }

        if (offset < data.Length)
        {
            hash = Multiply(hash ^ Reverse(LoadPartial(data[offset..])).AsUInt64(), _powers[0]);
        }

        return hash;
    }

    /// <summary>
    /// The counter-mode pass, with GHASH over the ciphertext as it goes: of the output when
    /// encrypting, of the input when decrypting.
    /// </summary>
    private void Crypt(Vector128<uint> counter, ReadOnlySpan<byte> input, Span<byte> output, ref Vector128<ulong> hash, bool decrypting)
    {
        ref byte source = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(input);
        ref byte target = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(output);
        int length = input.Length;
        int offset = 0;
        uint block = 2;
        ref RoundKeys k = ref _keys;

        for (; offset + (Lanes * BlockLength) <= length; offset += Lanes * BlockLength, block += Lanes)
        {
            Vector128<byte> k0 = k[0];
            Vector128<byte> s0 = CounterBlock(counter, block) ^ k0;
            Vector128<byte> s1 = CounterBlock(counter, block + 1) ^ k0;
            Vector128<byte> s2 = CounterBlock(counter, block + 2) ^ k0;
            Vector128<byte> s3 = CounterBlock(counter, block + 3) ^ k0;
            Vector128<byte> s4 = CounterBlock(counter, block + 4) ^ k0;
            Vector128<byte> s5 = CounterBlock(counter, block + 5) ^ k0;
            Vector128<byte> s6 = CounterBlock(counter, block + 6) ^ k0;
            Vector128<byte> s7 = CounterBlock(counter, block + 7) ^ k0;
            for (int r = 1; r < Rounds; r++)
            {
                Vector128<byte> kr = k[r];
                s0 = AesNi.Encrypt(s0, kr);
                s1 = AesNi.Encrypt(s1, kr);
                s2 = AesNi.Encrypt(s2, kr);
                s3 = AesNi.Encrypt(s3, kr);
                s4 = AesNi.Encrypt(s4, kr);
                s5 = AesNi.Encrypt(s5, kr);
                s6 = AesNi.Encrypt(s6, kr);
                s7 = AesNi.Encrypt(s7, kr);
            }

            Vector128<byte> last = k[Rounds];
            Vector128<byte> c0 = Vector128.LoadUnsafe(ref source, (nuint)offset);
            Vector128<byte> c1 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 16));
            Vector128<byte> c2 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 32));
            Vector128<byte> c3 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 48));
            Vector128<byte> c4 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 64));
            Vector128<byte> c5 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 80));
            Vector128<byte> c6 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 96));
            Vector128<byte> c7 = Vector128.LoadUnsafe(ref source, (nuint)(offset + 112));
            Vector128<byte> p0 = AesNi.EncryptLast(s0, last) ^ c0;
            Vector128<byte> p1 = AesNi.EncryptLast(s1, last) ^ c1;
            Vector128<byte> p2 = AesNi.EncryptLast(s2, last) ^ c2;
            Vector128<byte> p3 = AesNi.EncryptLast(s3, last) ^ c3;
            Vector128<byte> p4 = AesNi.EncryptLast(s4, last) ^ c4;
            Vector128<byte> p5 = AesNi.EncryptLast(s5, last) ^ c5;
            Vector128<byte> p6 = AesNi.EncryptLast(s6, last) ^ c6;
            Vector128<byte> p7 = AesNi.EncryptLast(s7, last) ^ c7;
            p0.StoreUnsafe(ref target, (nuint)offset);
            p1.StoreUnsafe(ref target, (nuint)(offset + 16));
            p2.StoreUnsafe(ref target, (nuint)(offset + 32));
            p3.StoreUnsafe(ref target, (nuint)(offset + 48));
            p4.StoreUnsafe(ref target, (nuint)(offset + 64));
            p5.StoreUnsafe(ref target, (nuint)(offset + 80));
            p6.StoreUnsafe(ref target, (nuint)(offset + 96));
            p7.StoreUnsafe(ref target, (nuint)(offset + 112));
            if (!decrypting)
            {
                (c0, c1, c2, c3, c4, c5, c6, c7) = (p0, p1, p2, p3, p4, p5, p6, p7);
            }

            hash = HashEight(hash, c0, c1, c2, c3, c4, c5, c6, c7);
        }

        for (; offset + BlockLength <= length; offset += BlockLength, block++)
        {
            Vector128<byte> c = Vector128.LoadUnsafe(ref source, (nuint)offset);
            Vector128<byte> p = EncryptBlock(CounterBlock(counter, block)) ^ c;
            p.StoreUnsafe(ref target, (nuint)offset);
            hash = Multiply(hash ^ Reverse(decrypting ? c : p).AsUInt64(), _powers[0]);
        }

        if (offset < length)
        {
            // The last partial block: its ciphertext, zero-padded, is what GHASH takes (§6.4).
            int tail = length - offset;
            Vector128<byte> c = LoadPartial(input[offset..]);
            Vector128<byte> p = EncryptBlock(CounterBlock(counter, block)) ^ c;
            Span<byte> bytes = stackalloc byte[BlockLength];
            p.CopyTo(bytes);
            bytes[..tail].CopyTo(output[offset..]);
            bytes[tail..].Clear();
            Vector128<byte> hashed = decrypting ? c : Vector128.Create<byte>(bytes);
            hash = Multiply(hash ^ Reverse(hashed).AsUInt64(), _powers[0]);
        }
    }

    /// <summary>Y ← (Y ⊕ C₀)·H⁸ ⊕ C₁·H⁷ ⊕ … ⊕ C₇·H, with one reduction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<ulong> HashEight(Vector128<ulong> hash, Vector128<byte> c0, Vector128<byte> c1, Vector128<byte> c2, Vector128<byte> c3, Vector128<byte> c4, Vector128<byte> c5, Vector128<byte> c6, Vector128<byte> c7)
    {
        Vector128<ulong> low = Vector128<ulong>.Zero;
        Vector128<ulong> high = Vector128<ulong>.Zero;
        Vector128<ulong> middle = Vector128<ulong>.Zero;
        Accumulate(hash ^ Reverse(c0).AsUInt64(), _powers[7], ref low, ref high, ref middle);
        Accumulate(Reverse(c1).AsUInt64(), _powers[6], ref low, ref high, ref middle);
        Accumulate(Reverse(c2).AsUInt64(), _powers[5], ref low, ref high, ref middle);
        Accumulate(Reverse(c3).AsUInt64(), _powers[4], ref low, ref high, ref middle);
        Accumulate(Reverse(c4).AsUInt64(), _powers[3], ref low, ref high, ref middle);
        Accumulate(Reverse(c5).AsUInt64(), _powers[2], ref low, ref high, ref middle);
        Accumulate(Reverse(c6).AsUInt64(), _powers[1], ref low, ref high, ref middle);
        Accumulate(Reverse(c7).AsUInt64(), _powers[0], ref low, ref high, ref middle);
        return Reduce(low, high, middle);
    }

    /// <summary>x·h' (h' a twisted power), reduced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Multiply(Vector128<ulong> x, Vector128<ulong> h)
    {
        Vector128<ulong> low = Vector128<ulong>.Zero;
        Vector128<ulong> high = Vector128<ulong>.Zero;
        Vector128<ulong> middle = Vector128<ulong>.Zero;
        Accumulate(x, h, ref low, ref high, ref middle);
        return Reduce(low, high, middle);
    }

    /// <summary>Adds x·h' to the unreduced 256-bit sum, as Karatsuba's three 64×64 products.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate(Vector128<ulong> x, Vector128<ulong> h, ref Vector128<ulong> low, ref Vector128<ulong> high, ref Vector128<ulong> middle)
    {
        low ^= Pclmulqdq.CarrylessMultiply(x, h, 0x00);
        high ^= Pclmulqdq.CarrylessMultiply(x, h, 0x11);
        middle ^= Pclmulqdq.CarrylessMultiply(x ^ SwapHalves(x), h ^ SwapHalves(h), 0x00);
    }

    /// <summary>The 256-bit product modulo the field polynomial, in two folds by 0xC2·2⁵⁶.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> Reduce(Vector128<ulong> low, Vector128<ulong> high, Vector128<ulong> middle)
    {
        middle ^= low ^ high;
        low ^= Sse2.ShiftLeftLogical128BitLane(middle, 8);
        high ^= Sse2.ShiftRightLogical128BitLane(middle, 8);

        Vector128<ulong> polynomial = Vector128.Create(1UL, 0xC200_0000_0000_0000UL);
        low = SwapHalves(low) ^ Pclmulqdq.CarrylessMultiply(low, polynomial, 0x10);
        low = SwapHalves(low) ^ Pclmulqdq.CarrylessMultiply(low, polynomial, 0x10);
        return low ^ high;
    }

    /// <summary>H' from the byte-reversed H: H shifted left one bit, folded by the polynomial when its top bit falls out.</summary>
    private static Vector128<ulong> Twist(Vector128<ulong> h)
    {
        Vector128<uint> words = h.AsUInt32();
        Vector128<uint> top = Sse2.ShiftRightArithmetic(Sse2.Shuffle(words.AsInt32(), 0xFF), 31).AsUInt32();
        Vector128<uint> fold = top & Vector128.Create(1UL, 0xC200_0000_0000_0000UL).AsUInt32();
        Vector128<uint> carries = Sse2.ShiftLeftLogical128BitLane(Sse2.ShiftRightLogical(words, 31), 4);
        return (Sse2.ShiftLeftLogical(words, 1) ^ fold ^ carries).AsUInt64();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ulong> SwapHalves(Vector128<ulong> value) => Sse2.Shuffle(value.AsUInt32(), 0x4E).AsUInt64();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Reverse(Vector128<byte> block)
        => Ssse3.Shuffle(block, Vector128.Create((byte)15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));

    private static Vector128<byte> LoadPartial(ReadOnlySpan<byte> bytes)
    {
        Span<byte> block = stackalloc byte[BlockLength];
        block.Clear();
        bytes.CopyTo(block);
        return Vector128.Create<byte>(block);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector128<byte> EncryptBlock(Vector128<byte> block)
    {
        ref RoundKeys k = ref _keys;
        block ^= k[0];
        for (int r = 1; r < Rounds; r++)
        {
            block = AesNi.Encrypt(block, k[r]);
        }

        return AesNi.EncryptLast(block, k[Rounds]);
    }

    /// <summary>FIPS 197 §5.2 for a 128-bit key, one round key per AESKEYGENASSIST with the round constant.</summary>
    private static void ExpandKey(Vector128<byte> key, ref RoundKeys keys)
    {
        keys[0] = key;
        keys[1] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x01));
        keys[2] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x02));
        keys[3] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x04));
        keys[4] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x08));
        keys[5] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x10));
        keys[6] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x20));
        keys[7] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x40));
        keys[8] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x80));
        keys[9] = key = NextRoundKey(key, AesNi.KeygenAssist(key, 0x1B));
        keys[10] = NextRoundKey(key, AesNi.KeygenAssist(key, 0x36));
    }

    /// <summary>w[i] = w[i−1] ⊕ w[i−4] for the four words, the first with SubWord(RotWord(w[i−1])) ⊕ Rcon.</summary>
    private static Vector128<byte> NextRoundKey(Vector128<byte> key, Vector128<byte> assist)
    {
        Vector128<byte> rotated = Sse2.Shuffle(assist.AsUInt32(), 0xFF).AsByte();
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        key ^= Sse2.ShiftLeftLogical128BitLane(key, 4);
        return key ^ rotated;
    }

    [InlineArray(Rounds + 1)]
    private struct RoundKeys
    {
        private Vector128<byte> _key;
    }

    [InlineArray(Lanes)]
    private struct HashPowers
    {
        private Vector128<ulong> _power;
    }
}
