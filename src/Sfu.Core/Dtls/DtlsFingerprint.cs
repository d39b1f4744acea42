using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Sfu.Core.Dtls;

/// <summary>
/// A certificate fingerprint as carried in SDP <c>a=fingerprint</c> (RFC 8122 §5):
/// <code>
/// fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint
/// hash-func             = "sha-1" / "sha-224" / "sha-256" / "sha-384" / "sha-512" / ...
/// fingerprint           = 2UHEX *(":" 2UHEX)   ; e.g. "AB:CD:01:..."
/// </code>
/// We accept sha-1, sha-256, sha-384 and sha-512 (what browsers emit; RFC 8122 §5 keeps
/// sha-1 for backwards compatibility), compare hash names and hex case-insensitively, and
/// compare digests in constant time so a mismatch leaks nothing about where it differs.
/// </summary>
public sealed class DtlsFingerprint
{
    private readonly byte[] _digest;

    private DtlsFingerprint(string algorithm, HashAlgorithmName hash, byte[] digest)
    {
        Algorithm = algorithm;
        Hash = hash;
        _digest = digest;
    }

    /// <summary>The hash function name in canonical lower case, e.g. "sha-256".</summary>
    public string Algorithm { get; }

    /// <summary>The raw digest bytes.</summary>
    public ReadOnlySpan<byte> Digest => _digest;

    internal HashAlgorithmName Hash { get; }

    /// <summary>The SDP form of the digest: upper-case hex pairs joined by colons.</summary>
    public string Value => Format(_digest);

    /// <summary>
    /// Parses the two halves of an <c>a=fingerprint</c> attribute. Returns false (never throws)
    /// for an unknown hash function, bad hex, wrong separators or a digest of the wrong length.
    /// </summary>
    public static bool TryParse(string? algorithm, string? value, [NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (algorithm is null || value is null || !TryGetHash(algorithm, out string canonical, out HashAlgorithmName hash, out int size))
        {
            return false;
        }

        // 2 hex digits per byte plus one colon between each pair (RFC 8122 §5 grammar).
        ReadOnlySpan<char> text = value.AsSpan().Trim();
        if (text.Length != (size * 3) - 1)
        {
            return false;
        }

        byte[] digest = new byte[size];
        for (int i = 0; i < size; i++)
        {
            int at = i * 3;
            if (i > 0 && text[at - 1] != ':')
            {
                return false;
            }

            int hi = HexValue(text[at]);
            int lo = HexValue(text[at + 1]);
            if (hi < 0 || lo < 0)
            {
                return false;
            }

            digest[i] = (byte)((hi << 4) | lo);
        }

        fingerprint = new DtlsFingerprint(canonical, hash, digest);
        return true;
    }

    /// <summary>
    /// Parses a whole attribute value such as <c>"sha-256 AB:CD:..."</c> (the part after
    /// <c>a=fingerprint:</c>).
    /// </summary>
    public static bool TryParseAttribute(string? attributeValue, [NotNullWhen(true)] out DtlsFingerprint? fingerprint)
    {
        fingerprint = null;
        if (attributeValue is null)
        {
            return false;
        }

        string trimmed = attributeValue.Trim();
        int space = trimmed.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && TryParse(trimmed[..space], trimmed[(space + 1)..], out fingerprint);
    }

    /// <summary>Computes the fingerprint of a DER-encoded certificate with the named hash function.</summary>
    /// <exception cref="ArgumentException">The hash function is not supported.</exception>
    public static DtlsFingerprint Compute(string algorithm, ReadOnlySpan<byte> certificateDer)
    {
        if (!TryGetHash(algorithm, out string canonical, out HashAlgorithmName hash, out int size))
        {
            throw new ArgumentException($"Unsupported fingerprint hash function '{algorithm}'.", nameof(algorithm));
        }

        byte[] digest = new byte[size];
        HashInto(hash, certificateDer, digest);
        return new DtlsFingerprint(canonical, hash, digest);
    }

    /// <summary>
    /// True when <paramref name="certificateDer"/> hashes to this fingerprint. The comparison
    /// is constant-time in the digest contents (RFC 8827 §6.5 makes this the only check of the
    /// peer's identity, so it must not be a timing oracle).
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> certificateDer)
    {
        Span<byte> actual = stackalloc byte[64];
        actual = actual[.._digest.Length];
        HashInto(Hash, certificateDer, actual);
        return CryptographicOperations.FixedTimeEquals(actual, _digest);
    }

    /// <summary>The attribute value form, e.g. <c>"sha-256 AB:CD:..."</c>.</summary>
    public override string ToString() => Algorithm + " " + Value;

    /// <summary>Formats a digest as upper-case hex pairs joined by colons (RFC 8122 §5).</summary>
    internal static string Format(ReadOnlySpan<byte> digest)
    {
        if (digest.IsEmpty)
        {
            return string.Empty;
        }

        const string Hex = "0123456789ABCDEF";
        return string.Create((digest.Length * 3) - 1, digest.ToArray(), static (chars, bytes) =>
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                int at = i * 3;
                if (i > 0)
                {
                    chars[at - 1] = ':';
                }

                chars[at] = Hex[bytes[i] >> 4];
                chars[at + 1] = Hex[bytes[i] & 0xF];
            }
        });
    }

    private static bool TryGetHash(string algorithm, out string canonical, out HashAlgorithmName hash, out int size)
    {
        // Hash function names are case-insensitive tokens (RFC 8122 §5 refers to the IANA
        // "Hash Function Textual Names" registry, whose entries are lower case).
        switch (algorithm.Trim().ToUpperInvariant())
        {
            case "SHA-1":
                (canonical, hash, size) = ("sha-1", HashAlgorithmName.SHA1, 20);
                return true;
            case "SHA-256":
                (canonical, hash, size) = ("sha-256", HashAlgorithmName.SHA256, 32);
                return true;
            case "SHA-384":
                (canonical, hash, size) = ("sha-384", HashAlgorithmName.SHA384, 48);
                return true;
            case "SHA-512":
                (canonical, hash, size) = ("sha-512", HashAlgorithmName.SHA512, 64);
                return true;
            default:
                (canonical, hash, size) = (string.Empty, default, 0);
                return false;
        }
    }

    private static void HashInto(HashAlgorithmName hash, ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (hash == HashAlgorithmName.SHA1)
        {
            // SHA-1 only identifies a certificate the peer chose to announce over an authenticated
            // signalling channel; RFC 8122 §5 still permits it, so we must be able to check it.
#pragma warning disable CA5350
            SHA1.HashData(data, destination);
#pragma warning restore CA5350
        }
        else if (hash == HashAlgorithmName.SHA384)
        {
            SHA384.HashData(data, destination);
        }
        else if (hash == HashAlgorithmName.SHA512)
        {
            SHA512.HashData(data, destination);
        }
        else
        {
            SHA256.HashData(data, destination);
        }
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
