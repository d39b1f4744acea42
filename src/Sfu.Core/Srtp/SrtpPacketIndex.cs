namespace Sfu.Core.Srtp;

/// <summary>
/// The 48-bit SRTP packet index <c>i = 2^16 * ROC + SEQ</c> (RFC 3711 §3.3.1) and its estimate
/// from a 16-bit sequence number.
/// </summary>
internal static class SrtpPacketIndex
{
    /// <summary>
    /// Guesses the index of a packet with sequence number <paramref name="sequence"/> given the
    /// highest index so far (RFC 3711 §3.3.1 and Appendix A): the ROC is taken as ROC - 1, ROC
    /// or ROC + 1, whichever puts the packet closest to s_l.
    /// <code>
    ///   if s_l &lt; 2^15:  v = ROC - 1 if SEQ - s_l &gt; 2^15, else ROC
    ///   else:          v = ROC + 1 if s_l - 2^15 &gt; SEQ, else ROC
    ///   i = 2^16 * v + SEQ
    /// </code>
    /// A stream with no history starts at ROC 0 (a fresh DTLS-SRTP association, RFC 5764 §4.1).
    /// Returns false when the guess falls before index 0 (a packet from "ROC -1").
    /// </summary>
    public static bool TryEstimate(bool hasHistory, ulong highest, ushort sequence, out ulong index)
    {
        if (!hasHistory)
        {
            index = sequence;
            return true;
        }

        long roc = (long)(highest >> 16);
        int highestSequence = (ushort)highest;
        long guess;
        if (highestSequence < 0x8000)
        {
            guess = sequence - highestSequence > 0x8000 ? roc - 1 : roc;
        }
        else
        {
            guess = highestSequence - 0x8000 > sequence ? roc + 1 : roc;
        }

        // The ROC is 32 bits (§3.3.1); wrapping it would need 2^48 packets under one key.
        if (guess < 0 || guess > uint.MaxValue)
        {
            index = 0;
            return false;
        }

        index = ((ulong)guess << 16) | sequence;
        return true;
    }
}
