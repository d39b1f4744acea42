using System.Text;
using Sfu.Core.Stun;

namespace Sfu.Core.Ice;

/// <summary>
/// Writes the connectivity check a full agent sends (RFC 8445 §7.2.2, §7.1): controlling towards
/// an ICE-lite server, controlled towards a full agent that offered. Used by our synthetic
/// client, not by the server.
/// </summary>
public static class IceBindingRequestBuilder
{
    /// <summary>An upper bound for <see cref="Write"/>: header, two 256-char ufrags, the fixed attributes.</summary>
    public const int MaxLength = 20 + 4 + 516 + 8 + 12 + 4 + 24 + 8;

    /// <summary>
    /// Writes a Binding request with USERNAME "remoteUfrag:localUfrag", PRIORITY, ICE-CONTROLLING
    /// (ICE-CONTROLLED when <paramref name="controlled"/>), USE-CANDIDATE (when
    /// <paramref name="useCandidate"/>), MESSAGE-INTEGRITY keyed with the remote password and
    /// FINGERPRINT; returns its length.
    /// </summary>
    public static int Write(
        Span<byte> destination,
        ReadOnlySpan<byte> transactionId,
        IceCredentials local,
        IceCredentials remote,
        uint priority,
        ulong tieBreaker,
        bool useCandidate,
        bool controlled = false)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remote);

        // ice-chars are ASCII and at most 256 long (RFC 8839 §5.4), so the stack buffers always fit.
        Span<byte> username = stackalloc byte[(2 * IceCredentials.MaxLength) + 1];
        int length = Encoding.ASCII.GetBytes(remote.Ufrag, username);
        username[length++] = (byte)':';
        length += Encoding.ASCII.GetBytes(local.Ufrag, username[length..]);

        Span<byte> key = stackalloc byte[IceCredentials.MaxLength];
        int keyLength = Encoding.ASCII.GetBytes(remote.Password, key);

        var writer = new StunMessageWriter(destination, StunMethod.Binding, StunClass.Request, transactionId);
        writer.AddUsername(username[..length]);
        writer.AddPriority(priority);
        if (controlled)
        {
            writer.AddIceControlled(tieBreaker);
        }
        else
        {
            writer.AddIceControlling(tieBreaker);
        }

        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        writer.AddMessageIntegrity(key[..keyLength]);
        writer.AddFingerprint();
        return writer.Length;
    }
}
