using System.Text;
using Sfu.Core.Stun;

namespace Sfu.Core.Ice;

/// <summary>
/// Client-side check of the answer to a connectivity check (RFC 8445 §7.2.5): used by our
/// synthetic client talking to ICE-lite servers.
/// </summary>
public static class IceBindingResponseValidator
{
    /// <summary>
    /// True when <paramref name="response"/> is a Binding success response for
    /// <paramref name="transactionId"/>, its FINGERPRINT (if any) is right and its
    /// MESSAGE-INTEGRITY verifies with the remote password, the one our request was signed with
    /// (RFC 8445 §7.2.5, RFC 8489 §9.1.4).
    /// </summary>
    public static bool IsAuthenticatedSuccess(in StunMessage response, ReadOnlySpan<byte> transactionId, IceCredentials remote)
    {
        ArgumentNullException.ThrowIfNull(remote);
        if (response.Raw.IsEmpty
            || response.Method != StunMethod.Binding
            || response.Class != StunClass.SuccessResponse
            || !response.TransactionId.SequenceEqual(transactionId)
            || (response.HasFingerprint && !response.VerifyFingerprint()))
        {
            return false;
        }

        Span<byte> key = stackalloc byte[IceCredentials.MaxLength];
        int keyLength = Encoding.ASCII.GetBytes(remote.Password, key);
        return response.VerifyMessageIntegrity(key[..keyLength]);
    }
}
