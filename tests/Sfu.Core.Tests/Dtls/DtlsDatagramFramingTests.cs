using System.Buffers.Binary;
using Sfu.Core.Dtls;

namespace Sfu.Core.Tests.Dtls;

public sealed class DtlsDatagramFramingTests
{
    [Fact]
    public void Every_record_of_a_real_handshake_passes()
    {
        // The flights of a handshake between our client and server (the fuzz seeds).
        foreach (string file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fuzz", "Seeds", "dtls")))
        {
            Assert.Equal(DtlsFraming.Ok, DtlsDatagramFraming.Check(File.ReadAllBytes(file)));
        }
    }

    [Theory]
    [InlineData(new byte[0], DtlsFraming.TruncatedRecordHeader)]
    // change_cipher_spec record cut one byte short of its 13-byte header
    [InlineData(new byte[] { 20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, DtlsFraming.TruncatedRecordHeader)]
    // content type 24 (heartbeat), never negotiated
    [InlineData(new byte[] { 24, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 }, DtlsFraming.UnknownContentType)]
    // version 0x0303 is TLS, not DTLS
    [InlineData(new byte[] { 20, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 }, DtlsFraming.UnknownVersion)]
    // length 2 with one byte of fragment
    [InlineData(new byte[] { 20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1 }, DtlsFraming.RecordLongerThanDatagram)]
    // length 0xFFFF, past RFC 6347's 2^14 + 2048
    [InlineData(new byte[] { 23, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1 }, DtlsFraming.RecordTooLong)]
    // a whole change_cipher_spec record followed by 3 stray bytes
    [InlineData(new byte[] { 20, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 22, 0xFE, 0xFD }, DtlsFraming.TruncatedRecordHeader)]
    public void Record_framing_is_checked(byte[] datagram, DtlsFraming expected)
        => Assert.Equal(expected, DtlsDatagramFraming.Check(datagram));

    [Theory]
    [InlineData(100, 0, 100, 100, DtlsFraming.Ok)]
    [InlineData(100, 0, 50, 50, DtlsFraming.Ok)] // first half of a fragmented message
    [InlineData(100, 50, 50, 50, DtlsFraming.Ok)] // second half
    [InlineData(100, 0, 100, 99, DtlsFraming.FragmentLongerThanRecord)] // fragment_length runs past the record
    [InlineData(100, 60, 50, 50, DtlsFraming.FragmentOutsideMessage)] // offset + length > message length
    [InlineData(DtlsDatagramFraming.MaxHandshakeMessageLength, 0, 10, 10, DtlsFraming.Ok)]
    [InlineData(DtlsDatagramFraming.MaxHandshakeMessageLength + 1, 0, 10, 10, DtlsFraming.HandshakeMessageTooLong)]
    [InlineData(0xFFFFFF, 0, 0, 0, DtlsFraming.HandshakeMessageTooLong)] // 16 MiB claimed in 12 bytes
    public void Plaintext_handshake_fragments_are_checked(int messageLength, int offset, int fragmentLength, int bodyBytes, DtlsFraming expected)
        => Assert.Equal(expected, DtlsDatagramFraming.Check(HandshakeRecord(epoch: 0, (messageLength, offset, fragmentLength, bodyBytes))));

    [Fact]
    public void Encrypted_handshake_records_are_not_read_as_fragments()
        => Assert.Equal(DtlsFraming.Ok, DtlsDatagramFraming.Check(HandshakeRecord(epoch: 1, (0xFFFFFF, 0, 0, 0))));

    [Fact]
    public void A_second_fragment_in_the_same_record_is_checked_too()
        => Assert.Equal(DtlsFraming.HandshakeMessageTooLong, DtlsDatagramFraming.Check(HandshakeRecord(epoch: 0, (10, 0, 10, 10), (0x100000, 0, 0, 0))));

    [Fact]
    public void A_datagram_of_many_empty_records_is_refused()
    {
        byte[] datagram = new byte[(DtlsDatagramFraming.MaxRecordsPerDatagram + 1) * DtlsRecord.HeaderLength];
        for (int at = 0; at < datagram.Length; at += DtlsRecord.HeaderLength)
        {
            datagram[at] = DtlsRecord.Alert;
            datagram[at + 1] = 0xFE;
            datagram[at + 2] = 0xFD;
        }

        Assert.Equal(DtlsFraming.TooManyRecords, DtlsDatagramFraming.Check(datagram));
        Assert.Equal(DtlsFraming.Ok, DtlsDatagramFraming.Check(datagram.AsSpan(DtlsRecord.HeaderLength)));
    }

    /// <summary>One handshake record holding the given fragments, each (message length, fragment offset, fragment_length, body bytes present), message_seq counting from 0.</summary>
    internal static byte[] HandshakeRecord(ushort epoch, params (int Length, int Offset, int FragmentLength, int Body)[] fragments)
    {
        int plaintext = fragments.Sum(f => DtlsHandshakeFragment.HeaderLength + f.Body);
        byte[] record = new byte[DtlsRecord.HeaderLength + plaintext];
        record[0] = DtlsRecord.Handshake;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(1), 0xFEFD);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(3), epoch);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)plaintext);
        int at = DtlsRecord.HeaderLength;
        for (int i = 0; i < fragments.Length; i++)
        {
            (int length, int offset, int fragmentLength, int body) = fragments[i];
            record[at] = 1; // client_hello
            WriteUInt24(record.AsSpan(at + 1), length);
            BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(at + 4), (ushort)i);
            WriteUInt24(record.AsSpan(at + 6), offset);
            WriteUInt24(record.AsSpan(at + 9), fragmentLength);
            at += DtlsHandshakeFragment.HeaderLength + body;
        }

        return record;
    }

    private static void WriteUInt24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
