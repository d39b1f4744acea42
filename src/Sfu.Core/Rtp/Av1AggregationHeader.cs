namespace Sfu.Core.Rtp;

/// <summary>
/// The AV1 RTP aggregation header (AV1 RTP payload specification §4.4) and the OBU header
/// after it (AV1 bitstream §5.3.2), read only as far as keyframe detection needs:
/// <code>
///   0 1 2 3 4 5 6 7
///  +-+-+-+-+-+-+-+-+
///  |Z|Y| W |N|-|-|-|  aggregation header
///  +-+-+-+-+-+-+-+-+
///  [leb128 length]    of the first OBU element, unless W is 1 (the only element has none)
///  |F| type  |X|S|-|  OBU header of the first element
/// </code>
/// N=1 marks the first packet of a coded video sequence, which starts with a keyframe. A
/// packet whose first element begins (Z=0) with a sequence header OBU (type 1) also starts
/// one, as encoders repeat the sequence header before each keyframe.
/// </summary>
public static class Av1AggregationHeader
{
    private const int SequenceHeaderObu = 1;

    public static bool IsKeyframe(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return false;
        }

        byte header = payload[0];
        bool continuesObu = (header & 0x80) != 0;
        int elements = (header >> 4) & 0x03;
        bool newSequence = (header & 0x08) != 0;
        if (continuesObu)
        {
            return false;
        }

        if (newSequence)
        {
            return true;
        }

        int offset = 1;
        if (elements != 1)
        {
            // leb128 (AV1 §4.10.5): 7 bits a byte, the high bit says another byte follows.
            int read = 0;
            while (offset < payload.Length && (payload[offset] & 0x80) != 0 && read < 8)
            {
                offset++;
                read++;
            }

            offset++;
        }

        return offset < payload.Length && ((payload[offset] >> 3) & 0x0F) == SequenceHeaderObu;
    }
}
