using Sfu.Host.Signaling;

namespace Sfu.Host.Access;

/// <summary>
/// What an operator asks a join token for (<c>POST /api/admin/tokens</c>, the <c>token</c>
/// command): the room, the identity, the name others see (default: the identity), what it may
/// do with media and how long the token may be used to join.
/// </summary>
public sealed record TokenRequest(string? Room, string? Identity, string? Name, bool? CanPublish, bool? CanSubscribe, long? ValidSeconds)
{
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromHours(6);

    /// <summary>The grant to sign from <paramref name="now"/>, or null with <paramref name="error"/> saying what is wrong.</summary>
    public AccessGrant? ToGrant(DateTimeOffset now, TimeSpan maxValidity, out string? error)
    {
        error = RoomName.Validate(Room);
        if (error is not null)
        {
            return null;
        }

        if (AccessTokens.ValidateIdentity(Identity) is string identityError)
        {
            error = "identity: " + identityError;
            return null;
        }

        string? name = DisplayName.Normalize(Name ?? Identity, out error);
        if (name is null)
        {
            return null;
        }

        TimeSpan valid = ValidSeconds is long seconds ? TimeSpan.FromSeconds(seconds) : DefaultValidity;
        if (valid <= TimeSpan.Zero || valid > maxValidity)
        {
            error = $"A token may be valid for 1 s to {maxValidity.TotalHours:0.#} h.";
            return null;
        }

        return new AccessGrant(Identity!, name, Room!, CanPublish ?? true, CanSubscribe ?? true, now + valid);
    }
}
