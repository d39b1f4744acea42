using Sfu.Core.Srtp;

namespace Sfu.Core.Dtls;

/// <summary>
/// Facts about the SRTP protection profiles we negotiate through use_srtp, and the server-side
/// choice among the client's offer.
/// </summary>
internal static class DtlsSrtpProfiles
{
    /// <summary>SRTP master key length in bytes (RFC 5764 §4.1.2, RFC 7714 §12).</summary>
    public static int MasterKeyLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 16,
        SrtpProfile.AeadAes128Gcm => 16,
        _ => 0,
    };

    /// <summary>
    /// SRTP master salt length in bytes: 112 bits for the AES-CM profiles (RFC 5764 §4.1.2),
    /// 96 bits for AEAD_AES_128_GCM (RFC 7714 §12).
    /// </summary>
    public static int MasterSaltLength(SrtpProfile profile) => profile switch
    {
        SrtpProfile.Aes128CmHmacSha1_80 => 14,
        SrtpProfile.AeadAes128Gcm => 12,
        _ => 0,
    };

    /// <summary>Bytes to export: 2 * (key + salt) (RFC 5764 §4.2).</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) =>
        2 * (MasterKeyLength(profile) + MasterSaltLength(profile));

    /// <summary>True for the profiles we can key.</summary>
    public static bool IsSupported(SrtpProfile profile) => MasterKeyLength(profile) != 0;

    /// <summary>
    /// RFC 5764 §4.1.1: the server picks one profile from the client's list. We walk our own
    /// preference list and take the first one the client offered, so the server's preference
    /// decides. Returns <see cref="SrtpProfile.None"/> when nothing is in common.
    /// </summary>
    public static SrtpProfile Select(IReadOnlyList<SrtpProfile> preference, ReadOnlySpan<int> offered)
    {
        for (int i = 0; i < preference.Count; i++)
        {
            SrtpProfile candidate = preference[i];
            if (!IsSupported(candidate))
            {
                continue;
            }

            if (offered.Contains((int)candidate))
            {
                return candidate;
            }
        }

        return SrtpProfile.None;
    }

    /// <summary>Our preference list as the two-byte identifiers BouncyCastle expects.</summary>
    public static int[] ToWire(IReadOnlyList<SrtpProfile> profiles)
    {
        var wire = new List<int>(profiles.Count);
        for (int i = 0; i < profiles.Count; i++)
        {
            if (IsSupported(profiles[i]) && !wire.Contains((int)profiles[i]))
            {
                wire.Add((int)profiles[i]);
            }
        }

        return [.. wire];
    }
}
