namespace Sfu.Host.Meeting;

/// <summary>
/// The allowances of one identity (chat lines, media-state changes, join and leave notices),
/// shared by every seat it takes, one after another or in several rooms at once: leaving and
/// joining again starts from what is left, not from a fresh allowance.
/// </summary>
internal sealed class IdentityAllowance(RateAllowance chat, RateAllowance mediaState, RateAllowance notices)
{
    private readonly Lock _gate = new();

    /// <summary>Seats of the identity now; changed under the store's lock.</summary>
    public int Seats { get; set; }

    /// <summary>When its last seat ended (timestamp of the store's clock).</summary>
    public long ReleasedAt { get; set; }

    public bool TryChat() => Take(chat);

    public bool TryMediaState() => Take(mediaState);

    public bool TryNotice() => Take(notices);

    private bool Take(RateAllowance allowance)
    {
        lock (_gate)
        {
            return allowance.TryTake();
        }
    }
}
