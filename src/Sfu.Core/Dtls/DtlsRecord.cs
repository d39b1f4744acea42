using System.Buffers.Binary;

namespace Sfu.Core.Dtls;

/// <summary>
/// A view of one DTLS record at the start of a datagram (RFC 6347 §4.1), read before the
/// bytes reach BouncyCastle:
/// <code>
///  0               1               2               3
/// +---------------+-------------------------------+---------------+
/// | content type  |  version (0xFEFF / 0xFEFD)    |     epoch ... |
/// +---------------+-------------------------------+---------------+
/// | ... epoch     |           sequence number (48 bits) ...       |
/// +---------------+-------------------------------+---------------+
/// | ... seq       |  length                       | fragment ...  |
/// +---------------+-------------------------------+---------------+
/// </code>
/// </summary>
public readonly ref struct DtlsRecord
{
    /// <summary>Bytes before the fragment.</summary>
    public const int HeaderLength = 13;

    /// <summary>RFC 6347 §4.1: a ciphertext fragment is at most 2^14 + 2048 bytes.</summary>
    public const int MaxFragmentLength = 16384 + 2048;

    public const byte ChangeCipherSpec = 20;
    public const byte Alert = 21;
    public const byte Handshake = 22;
    public const byte ApplicationData = 23;

    private const int VersionOffset = 1;
    private const int EpochOffset = 3;
    private const int LengthOffset = 11;
    private const ushort Dtls10 = 0xFEFF;
    private const ushort Dtls12 = 0xFEFD;

    private DtlsRecord(byte contentType, ushort epoch, ReadOnlySpan<byte> fragment)
    {
        ContentType = contentType;
        Epoch = epoch;
        Fragment = fragment;
    }

    /// <summary>20 change_cipher_spec, 21 alert, 22 handshake, 23 application_data.</summary>
    public byte ContentType { get; }

    /// <summary>0 until ChangeCipherSpec: only then is the fragment plaintext.</summary>
    public ushort Epoch { get; }

    /// <summary>The record's payload, exactly as long as its header says.</summary>
    public ReadOnlySpan<byte> Fragment { get; }

    /// <summary>
    /// Reads the record at the start of <paramref name="data"/>; <paramref name="length"/> is
    /// the bytes it spans (header and fragment), so the next record starts there (RFC 6347
    /// §4.1.1 lets several share a datagram). Never reads past <paramref name="data"/>.
    /// </summary>
    public static DtlsFraming TryRead(ReadOnlySpan<byte> data, out DtlsRecord record, out int length)
    {
        record = default;
        length = 0;
        if (data.Length < HeaderLength)
        {
            return DtlsFraming.TruncatedRecordHeader;
        }

        byte type = data[0];
        if (type is < ChangeCipherSpec or > ApplicationData)
        {
            // Heartbeat (24) and connection-id records (25) are never negotiated here.
            return DtlsFraming.UnknownContentType;
        }

        ushort version = BinaryPrimitives.ReadUInt16BigEndian(data[VersionOffset..]);
        if (version is not (Dtls10 or Dtls12))
        {
            return DtlsFraming.UnknownVersion;
        }

        int fragmentLength = BinaryPrimitives.ReadUInt16BigEndian(data[LengthOffset..]);
        if (fragmentLength > MaxFragmentLength)
        {
            return DtlsFraming.RecordTooLong;
        }

        if (fragmentLength > data.Length - HeaderLength)
        {
            return DtlsFraming.RecordLongerThanDatagram;
        }

        length = HeaderLength + fragmentLength;
        record = new DtlsRecord(type, BinaryPrimitives.ReadUInt16BigEndian(data[EpochOffset..]), data.Slice(HeaderLength, fragmentLength));
        return DtlsFraming.Ok;
    }
}
