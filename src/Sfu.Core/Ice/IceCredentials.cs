using System.Security.Cryptography;
using System.Text;

namespace Sfu.Core.Ice;

/// <summary>
/// One side's ICE username fragment and password (RFC 8445 §5.3), as carried in SDP
/// a=ice-ufrag / a=ice-pwd (RFC 8839 §5.4). Both are ice-chars (ALPHA / DIGIT / "+" / "/"),
/// the ufrag at least 4 and the password at least 22 characters, at most 256. The password
/// keys MESSAGE-INTEGRITY of every check (RFC 8445 §7.2.2), so <see cref="ToString"/> hides it.
/// </summary>
public sealed record IceCredentials
{
    /// <summary>Minimum ufrag length: 24 bits of randomness (RFC 8445 §5.3).</summary>
    public const int MinUfragLength = 4;

    /// <summary>Minimum password length: 128 bits of randomness (RFC 8445 §5.3).</summary>
    public const int MinPasswordLength = 22;

    /// <summary>Maximum length of either value (RFC 8839 §5.4).</summary>
    public const int MaxLength = 256;

    // Generated values are longer than the minimum: the ufrag is also the key the socket mux
    // uses to find a session on first contact, so it should not collide across sessions.
    private const int GeneratedUfragLength = 16;
    private const int GeneratedPasswordLength = 32;

    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>Validates and stores the pair; throws <see cref="ArgumentException"/> for values outside RFC 8445 §5.3 / RFC 8839 §5.4.</summary>
    public IceCredentials(string ufrag, string password)
    {
        if (!IsValidUfrag(ufrag))
        {
            throw new ArgumentException("An ICE ufrag is 4..256 ice-chars (RFC 8445 §5.3).", nameof(ufrag));
        }

        if (!IsValidPassword(password))
        {
            throw new ArgumentException("An ICE password is 22..256 ice-chars (RFC 8445 §5.3).", nameof(password));
        }

        Ufrag = ufrag;
        Password = password;
    }

    /// <summary>The username fragment.</summary>
    public string Ufrag { get; }

    /// <summary>The password; its ASCII bytes are the MESSAGE-INTEGRITY key (RFC 8489 §9.1.1).</summary>
    public string Password { get; }

    /// <summary>Fresh random credentials from a CSPRNG, well above the RFC 8445 §5.3 minimum entropy.</summary>
    public static IceCredentials Generate()
        => new(
            RandomNumberGenerator.GetString(IceChars, GeneratedUfragLength),
            RandomNumberGenerator.GetString(IceChars, GeneratedPasswordLength));

    /// <summary>True for 4..256 ice-chars (RFC 8839 §5.4).</summary>
    public static bool IsValidUfrag(string? ufrag) => IsIceCharString(ufrag, MinUfragLength);

    /// <summary>True for 22..256 ice-chars (RFC 8839 §5.4).</summary>
    public static bool IsValidPassword(string? password) => IsIceCharString(password, MinPasswordLength);

    private static bool IsIceCharString(string? value, int minLength)
    {
        if (value is null || value.Length < minLength || value.Length > MaxLength)
        {
            return false;
        }

        foreach (char c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '+' && c != '/')
            {
                return false;
            }
        }

        return true;
    }

    // Records print every property by default; the password must never reach a log.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Ufrag = ").Append(Ufrag).Append(", Password = ***");
        return true;
    }
}
