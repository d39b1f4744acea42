namespace Sfu.Core.Rtp;

/// <summary>
/// The VP9 payload descriptor (RFC 9628 §4.2), read only as far as keyframe detection needs:
/// <code>
///   0 1 2 3 4 5 6 7
///  +-+-+-+-+-+-+-+-+
///  |I|P|L|F|B|E|V|Z| (REQUIRED)
///  +-+-+-+-+-+-+-+-+
///  |M| PICTURE ID  | (if I; 15 bits when M)
///  |  PICTURE ID   |
///  +-+-+-+-+-+-+-+-+
///  |TID|U| SID |D  | (if L)
///  +-+-+-+-+-+-+-+-+
/// </code>
/// A keyframe starts where a frame begins (B=1) that predicts from no earlier picture (P=0) in
/// the base spatial layer (SID 0, or no layer indices). The upper spatial layers of the same
/// picture follow in later packets and are forwarded whole with it: nothing here depends on
/// the payload after the descriptor, so encrypted VP9 (insertable streams) still forwards.
/// </summary>
public static class Vp9PayloadDescriptor
{
    public static bool IsKeyframe(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        byte first = payload[0];
        bool pictureId = (first & 0x80) != 0;
        bool interPredicted = (first & 0x40) != 0;
        bool layerIndices = (first & 0x20) != 0;
        bool beginsFrame = (first & 0x08) != 0;
        if (interPredicted || !beginsFrame)
        {
            return false;
        }

        int offset = 1;
        if (pictureId)
        {
            if (offset >= payload.Length)
            {
                return false;
            }

            offset += (payload[offset] & 0x80) != 0 ? 2 : 1;
        }

        if (!layerIndices)
        {
            return offset <= payload.Length;
        }

        return offset < payload.Length && ((payload[offset] >> 1) & 0x07) == 0;
    }
}
