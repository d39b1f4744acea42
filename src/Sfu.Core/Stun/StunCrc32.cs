namespace Sfu.Core.Stun;

/// <summary>
/// CRC-32 as used by FINGERPRINT (RFC 8489 §14.7, which points at ISO 3309 / ITU-T V.42, the
/// same reflected 0xEDB88320 polynomial as Ethernet and zlib), table driven so the hot path
/// is one lookup per byte and allocates nothing.
/// </summary>
internal static class StunCrc32
{
    /// <summary>FINGERPRINT is the CRC XORed with "STUN" so it differs from a CRC a carried protocol might add (RFC 8489 §14.7).</summary>
    public const uint FingerprintXor = 0x5354554E;

    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint[] table = Table;
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The FINGERPRINT value for the given message prefix (RFC 8489 §14.7).</summary>
    public static uint Fingerprint(ReadOnlySpan<byte> messagePrefix) => Compute(messagePrefix) ^ FingerprintXor;

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
