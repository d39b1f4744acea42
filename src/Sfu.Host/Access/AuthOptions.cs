namespace Sfu.Host.Access;

/// <summary>Settings of join tokens (configuration section "Sfu:Auth").</summary>
public sealed class AuthOptions
{
    public const string Section = "Sfu:Auth";

    /// <summary>The shortest secret accepted: HS256 keys shorter than its 256-bit output weaken it (RFC 7518 §3.2).</summary>
    public const int MinSecretBytes = 32;

    /// <summary>Open or Token; unset means Token when a key is configured, else Open.</summary>
    public AccessMode? Mode { get; set; }

    /// <summary>Signing secrets by key id (the token's <c>kid</c> header); the first one signs what the server mints.</summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>How far the clocks of the minting and the checking machine may disagree.</summary>
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>The longest a token minted here may be valid.</summary>
    public int MaxValidHours { get; set; } = 24 * 7;

    public AccessMode EffectiveMode => Mode ?? (Keys.Count > 0 ? AccessMode.Token : AccessMode.Open);
}
