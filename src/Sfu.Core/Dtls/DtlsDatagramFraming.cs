namespace Sfu.Core.Dtls;

/// <summary>
/// Checks the framing of a received DTLS datagram before BouncyCastle sees it: every record
/// fits the datagram, and every plaintext handshake fragment fits its record and claims a
/// message no longer than <see cref="MaxHandshakeMessageLength"/>. A handshake reassembler
/// sizes its buffer by the claimed message length (24 bits: up to 16 MiB, for each of the
/// next 16 message sequence numbers); BouncyCastle 2.7 ignores fragments above its
/// <c>GetMaxHandshakeMessageSize</c>, which our peers set to the same bound, and this check
/// keeps the bound ours whatever the library does, drops such datagrams before they take a
/// queue slot and the handshake thread's time, and gives the reason a failed handshake reports.
/// A datagram that fails is dropped whole, as RFC 6347 §4.1.2.7 lets a receiver discard
/// invalid records. Pure; allocates nothing.
/// </summary>
public static class DtlsDatagramFraming
{
    /// <summary>
    /// Longest handshake message accepted. A WebRTC flight is a ClientHello of a few hundred
    /// bytes and one self-signed certificate (about 0.5 KB for ECDSA, 1 KB for RSA-2048);
    /// 16 KiB leaves room for large extensions and a chain while bounding what a peer can pin.
    /// </summary>
    public const int MaxHandshakeMessageLength = 16 * 1024;

    /// <summary>A flight packs a handful of records per datagram; a datagram of empty records is not a flight.</summary>
    public const int MaxRecordsPerDatagram = 32;

    /// <summary>Walks every record of <paramref name="datagram"/>; <see cref="DtlsFraming.Ok"/> when it may go to BouncyCastle.</summary>
    public static DtlsFraming Check(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty)
        {
            return DtlsFraming.TruncatedRecordHeader;
        }

        int records = 0;
        while (!datagram.IsEmpty)
        {
            if (++records > MaxRecordsPerDatagram)
            {
                return DtlsFraming.TooManyRecords;
            }

            DtlsFraming result = DtlsRecord.TryRead(datagram, out DtlsRecord record, out int length);
            if (result != DtlsFraming.Ok)
            {
                return result;
            }

            // From epoch 1 on the fragment is encrypted: its handshake headers are not ours to read.
            if (record.ContentType == DtlsRecord.Handshake && record.Epoch == 0 && (result = CheckHandshake(record.Fragment)) != DtlsFraming.Ok)
            {
                return result;
            }

            datagram = datagram[length..];
        }

        return DtlsFraming.Ok;
    }

    /// <summary>Why a datagram was dropped, for the log and the handshake's failure message.</summary>
    public static string Describe(DtlsFraming framing) => framing switch
    {
        DtlsFraming.Ok => "well-formed",
        DtlsFraming.TruncatedRecordHeader => "a DTLS record header shorter than 13 bytes",
        DtlsFraming.UnknownContentType => "a DTLS record of an unknown content type",
        DtlsFraming.UnknownVersion => "a DTLS record of an unknown version",
        DtlsFraming.RecordTooLong => $"a DTLS record longer than {DtlsRecord.MaxFragmentLength} bytes (RFC 6347 §4.1)",
        DtlsFraming.RecordLongerThanDatagram => "a DTLS record whose length runs past the end of its datagram",
        DtlsFraming.TruncatedHandshakeHeader => "a handshake fragment header shorter than 12 bytes",
        DtlsFraming.FragmentLongerThanRecord => "a handshake fragment whose length runs past the end of its record",
        DtlsFraming.FragmentOutsideMessage => "a handshake fragment lying outside the message length it claims",
        DtlsFraming.HandshakeMessageTooLong => $"a handshake message claiming more than {MaxHandshakeMessageLength} bytes",
        DtlsFraming.TooManyRecords => $"more than {MaxRecordsPerDatagram} DTLS records in one datagram",
        _ => framing.ToString(),
    };

    private static DtlsFraming CheckHandshake(ReadOnlySpan<byte> plaintext)
    {
        // BouncyCastle stops at a trailing partial header, so a record must consist of whole fragments.
        while (!plaintext.IsEmpty)
        {
            DtlsFraming result = DtlsHandshakeFragment.TryRead(plaintext, out DtlsHandshakeFragment fragment, out int length);
            if (result != DtlsFraming.Ok)
            {
                return result;
            }

            if (fragment.MessageLength > MaxHandshakeMessageLength)
            {
                return DtlsFraming.HandshakeMessageTooLong;
            }

            plaintext = plaintext[length..];
        }

        return DtlsFraming.Ok;
    }
}
