namespace Sfu.Core.Rtp;

/// <summary>
/// Client-to-mixer audio level header extension (RFC 6464 §3), URI
/// urn:ietf:params:rtp-hdrext:ssrc-audio-level.
/// <code>
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+
/// |V|    level    |
/// +-+-+-+-+-+-+-+-+
/// </code>
/// V is the voice activity flag; level is 0..127 meaning 0 to -127 dBov (127 = silence).
/// </summary>
public static class AudioLevel
{
    /// <summary>
    /// Reads the first byte of the extension value. Some senders pad the value to more than
    /// one byte (§3 allows the two-byte form too); extra bytes are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> extensionValue, out bool voiceActivity, out byte levelDbov)
    {
        if (extensionValue.IsEmpty)
        {
            voiceActivity = false;
            levelDbov = 0;
            return false;
        }

        byte b = extensionValue[0];
        voiceActivity = (b & 0x80) != 0;
        levelDbov = (byte)(b & 0x7F);
        return true;
    }
}
