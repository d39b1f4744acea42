namespace Sfu.Host.Turn;

/// <summary>
/// The TURN server the operator runs beside the SFU (configuration section "Sfu:Turn"), for
/// participants whose network lets neither UDP nor TCP reach the media port. Credentials are
/// the time-limited REST kind a TURN server with a shared secret checks itself (coturn's
/// <c>use-auth-secret</c>): nothing is stored per user.
/// </summary>
public sealed class TurnOptions
{
    public const string Section = "Sfu:Turn";

    /// <summary>
    /// TURN URLs handed to every participant, e.g. <c>turn:turn.example.org:3478?transport=udp</c>,
    /// <c>turn:turn.example.org:3478?transport=tcp</c>, <c>turns:turn.example.org:443?transport=tcp</c>.
    /// Empty: no TURN.
    /// </summary>
    public IList<string> Urls { get; } = [];

    /// <summary>The secret shared with the TURN server (coturn's <c>static-auth-secret</c>).</summary>
    public string? Secret { get; set; }

    /// <summary>How long a credential is valid, in hours.</summary>
    public double CredentialHours { get; set; } = 12;
}
