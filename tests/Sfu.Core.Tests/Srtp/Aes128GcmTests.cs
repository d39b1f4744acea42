using System.Security.Cryptography;
using Sfu.Core.Srtp;
using static Sfu.Core.Tests.Srtp.SrtpTestSupport;

namespace Sfu.Core.Tests.Srtp;

/// <summary>
/// Our AES-128-GCM against the GCM specification's test cases and, for every length a packet can
/// have, against the platform's <see cref="AesGcm"/> (OpenSSL here): same ciphertext, same tag,
/// and a forged tag, ciphertext or associated data refused.
/// </summary>
public sealed class Aes128GcmTests
{
    // McGrew and Viega, "The Galois/Counter Mode of Operation", Appendix B, test cases 1–4
    // (AES-128, 96-bit IV). Case 4 has associated data and a payload that ends mid-block.
    public static TheoryData<string, string, string, string, string, string> SpecificationCases() => new()
    {
        { "00000000000000000000000000000000", "000000000000000000000000", "", "", "", "58e2fccefa7e3061367f1d57a4e7455a" },
        { "00000000000000000000000000000000", "000000000000000000000000", "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf" },
        {
            "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
            "",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
            "4d5c2af327cd64a62cf35abd2ba6fab4"
        },
        {
            "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
            "feedfacedeadbeeffeedfacedeadbeefabaddad2",
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            "5bc94fbc3221a5db94fae95ae7121a47"
        },
    };

    [Theory]
    [MemberData(nameof(SpecificationCases))]
    public void SpecificationTestCases(string key, string nonce, string plaintext, string associated, string ciphertext, string tag)
    {
        Assert.SkipUnless(Aes128Gcm.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        using var cipher = new Aes128Gcm(Hex(key));
        byte[] output = new byte[plaintext.Length / 2];
        byte[] computedTag = new byte[16];

        cipher.Encrypt(Hex(nonce), Hex(plaintext), output, computedTag, Hex(associated));

        Assert.Equal(Hex(ciphertext), output);
        Assert.Equal(Hex(tag), computedTag);

        byte[] decrypted = new byte[output.Length];
        Assert.True(cipher.TryDecrypt(Hex(nonce), output, computedTag, decrypted, Hex(associated)));
        Assert.Equal(Hex(plaintext), decrypted);
    }

    [Fact]
    public void MatchesThePlatformCipherAtEveryPacketLength()
    {
        Assert.SkipUnless(Aes128Gcm.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        var random = new Random(7714);
        byte[] key = new byte[16];
        byte[] nonce = new byte[12];
        int[] lengths = [.. Enumerable.Range(0, 300), 1000, 1023, 1024, 1025, 1151, 1152, 1200, 1400, 1500];
        foreach (int length in lengths)
        {
            random.NextBytes(key);
            random.NextBytes(nonce);
            byte[] associated = new byte[random.Next(0, 48)];
            random.NextBytes(associated);
            byte[] plaintext = new byte[length];
            random.NextBytes(plaintext);

            using var platform = new AesGcm(key, 16);
            byte[] expected = new byte[length];
            byte[] expectedTag = new byte[16];
            platform.Encrypt(nonce, plaintext, expected, expectedTag, associated);

            using var cipher = new Aes128Gcm(key);
            byte[] inPlace = (byte[])plaintext.Clone();
            byte[] tag = new byte[16];
            cipher.Encrypt(nonce, inPlace, inPlace, tag, associated);
            Assert.True(expected.AsSpan().SequenceEqual(inPlace), $"ciphertext differs at length {length}, {associated.Length} bytes of associated data");
            Assert.True(expectedTag.AsSpan().SequenceEqual(tag), $"tag differs at length {length}, {associated.Length} bytes of associated data");

            Assert.True(cipher.TryDecrypt(nonce, inPlace, tag, inPlace, associated), $"our own tag refused at length {length}");
            Assert.True(plaintext.AsSpan().SequenceEqual(inPlace), $"decryption differs at length {length}");
        }
    }

    [Theory]
    [InlineData("tag")]
    [InlineData("ciphertext")]
    [InlineData("associated")]
    [InlineData("nonce")]
    public void RefusesAnyChangedBitAndLeavesNoPlaintext(string changed)
    {
        Assert.SkipUnless(Aes128Gcm.IsSupported, "no AES-NI/PCLMULQDQ on this CPU");
        var random = new Random(3711);
        byte[] key = new byte[16];
        byte[] nonce = new byte[12];
        byte[] associated = new byte[12];
        byte[] plaintext = new byte[200];
        random.NextBytes(key);
        random.NextBytes(nonce);
        random.NextBytes(associated);
        random.NextBytes(plaintext);
        using var cipher = new Aes128Gcm(key);
        byte[] ciphertext = new byte[plaintext.Length];
        byte[] tag = new byte[16];
        cipher.Encrypt(nonce, plaintext, ciphertext, tag, associated);

        byte[] target = changed switch
        {
            "tag" => tag,
            "ciphertext" => ciphertext,
            "associated" => associated,
            _ => nonce,
        };
        target[random.Next(target.Length)] ^= (byte)(1 << random.Next(8));

        byte[] output = new byte[ciphertext.Length];
        output.AsSpan().Fill(0xAA);
        Assert.False(cipher.TryDecrypt(nonce, ciphertext, tag, output, associated));
        Assert.All(output, b => Assert.Equal(0, b));
    }
}
