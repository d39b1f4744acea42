namespace Sfu.Host.Admin;

/// <summary>Settings of the admin dashboard and API (configuration section "Sfu:Admin").</summary>
public sealed class AdminOptions
{
    public const string Section = "Sfu:Admin";

    /// <summary>The shortest key accepted: anything shorter is within reach of a patient guesser.</summary>
    public const int MinKeyBytes = 32;

    /// <summary>The shared secret operators present; with none, admin is switched off.</summary>
    public string? Key { get; set; }

    /// <summary>How long a dashboard sign-in lasts.</summary>
    public int SessionHours { get; set; } = 12;

    /// <summary>Wrong keys an address may present before it has to wait.</summary>
    public int FreeAttempts { get; set; } = 5;

    /// <summary>The first wait after those; each further wrong key doubles it ...</summary>
    public int BackoffSeconds { get; set; } = 1;

    /// <summary>... up to this.</summary>
    public int MaxBackoffSeconds { get; set; } = 300;
}
