namespace Sfu.Host.Admin;

/// <summary>Settings of the admin dashboard and API (configuration section "Sfu:Admin").</summary>
public sealed class AdminOptions
{
    public const string Section = "Sfu:Admin";

    /// <summary>The shared secret operators present; with none, admin is switched off.</summary>
    public string? Key { get; set; }
}
