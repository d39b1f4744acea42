namespace Sfu.Core.Ice;

/// <summary>
/// The USERNAME of an ICE connectivity check is "receiverUfrag:senderUfrag" (RFC 8445 §7.2.2),
/// so a check arriving at us reads "ourUfrag:theirUfrag".
/// </summary>
public static class IceUsername
{
    private const byte Separator = (byte)':';

    /// <summary>
    /// Extracts our ufrag, the part before the first colon, from a received USERNAME value so the
    /// socket mux can find the peer session on first contact. False when there is no colon or
    /// nothing before it.
    /// </summary>
    public static bool TryGetLocalUfrag(ReadOnlySpan<byte> usernameAttributeValue, out ReadOnlySpan<byte> localUfrag)
    {
        int colon = usernameAttributeValue.IndexOf(Separator);
        if (colon <= 0)
        {
            localUfrag = default;
            return false;
        }

        localUfrag = usernameAttributeValue[..colon];
        return true;
    }

    /// <summary>
    /// True when <paramref name="username"/> is exactly "localUfrag:remoteUfrag"; with an empty
    /// <paramref name="remoteUfrag"/> (remote description not yet known) any sender part is accepted.
    /// </summary>
    internal static bool Matches(ReadOnlySpan<byte> username, ReadOnlySpan<byte> localUfrag, ReadOnlySpan<byte> remoteUfrag)
    {
        if (username.Length <= localUfrag.Length
            || !username.StartsWith(localUfrag)
            || username[localUfrag.Length] != Separator)
        {
            return false;
        }

        return remoteUfrag.IsEmpty || username[(localUfrag.Length + 1)..].SequenceEqual(remoteUfrag);
    }
}
