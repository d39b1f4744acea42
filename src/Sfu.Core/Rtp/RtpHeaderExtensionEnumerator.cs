namespace Sfu.Core.Rtp;

/// <summary>
/// Walks the elements of an RFC 8285 extension block without allocating.
/// <para>
/// One-byte form (§4.2), profile 0xBEDE: each element is a byte ID(4)|L(4) followed by L+1
/// data bytes. ID 0 is a padding byte (skipped); ID 15 is reserved and stops the walk.
/// </para>
/// <code>
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ID   |  len  | data (len+1) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// <para>
/// Two-byte form (§4.3), profile 0x100X (X = appbits): ID(8) L(8) followed by L data bytes
/// (L may be 0). ID 0 is a single padding byte.
/// </para>
/// <code>
///  0                   1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       ID      |     length    | data ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// An element running past the block ends the walk: what came before it is still reported.
/// </summary>
public ref struct RtpHeaderExtensionEnumerator
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly bool _twoByte;
    private int _offset;
    private byte _id;
    private ReadOnlySpan<byte> _value;

    internal RtpHeaderExtensionEnumerator(ushort profile, ReadOnlySpan<byte> data)
    {
        if (profile == RtpPacket.OneByteExtensionProfile)
        {
            _data = data;
        }
        else if (IsTwoByteProfile(profile))
        {
            _data = data;
            _twoByte = true;
        }
        else
        {
            // Unknown profile (or no extension at all): nothing we know how to read.
            _data = default;
        }

        _offset = 0;
        _id = 0;
        _value = default;
    }

    /// <summary>True for 0x1000..0x100F, the two-byte header form with its 4 appbits (RFC 8285 §4.3).</summary>
    public static bool IsTwoByteProfile(ushort profile) => (profile & 0xFFF0) == 0x1000;

    /// <summary>The element found by the last successful <see cref="MoveNext"/>.</summary>
    public readonly RtpHeaderExtension Current => new(_id, _value);

    /// <summary>Lets the enumerator be used directly in <c>foreach</c>.</summary>
    public readonly RtpHeaderExtensionEnumerator GetEnumerator() => this;

    /// <summary>Advances to the next non-padding element.</summary>
    public bool MoveNext()
    {
        while (_offset < _data.Length)
        {
            byte b = _data[_offset];
            if (b == 0)
            {
                // Padding byte in either form (§4.2, §4.3).
                _offset++;
                continue;
            }

            int id;
            int length;
            int headerSize;
            if (_twoByte)
            {
                if (_offset + 2 > _data.Length)
                {
                    break;
                }

                id = b;
                length = _data[_offset + 1];
                headerSize = 2;
            }
            else
            {
                id = b >> 4;
                if (id == 15)
                {
                    // §4.2: ID 15 is reserved; the rest of the block must be ignored.
                    break;
                }

                // An ID of 0 with nonzero length is not allowed (§4.2): stop rather than guess.
                if (id == 0)
                {
                    break;
                }

                length = (b & 0x0F) + 1;
                headerSize = 1;
            }

            int start = _offset + headerSize;
            if (start + length > _data.Length)
            {
                break;
            }

            _id = (byte)id;
            _value = _data.Slice(start, length);
            _offset = start + length;
            return true;
        }

        _offset = _data.Length;
        return false;
    }
}
