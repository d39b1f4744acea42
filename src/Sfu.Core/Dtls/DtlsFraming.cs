namespace Sfu.Core.Dtls;

/// <summary>What <see cref="DtlsDatagramFraming.Check"/> found wrong with a datagram's DTLS framing, or <see cref="Ok"/>.</summary>
public enum DtlsFraming
{
    Ok = 0,

    /// <summary>Fewer than 13 bytes where a record header should start.</summary>
    TruncatedRecordHeader,

    /// <summary>A content type other than change_cipher_spec, alert, handshake or application_data.</summary>
    UnknownContentType,

    /// <summary>A record version other than DTLS 1.0 or 1.2.</summary>
    UnknownVersion,

    /// <summary>A record longer than RFC 6347 §4.1 allows.</summary>
    RecordTooLong,

    /// <summary>A record whose length field claims more bytes than the datagram holds.</summary>
    RecordLongerThanDatagram,

    /// <summary>Fewer than 12 bytes where a handshake fragment header should start.</summary>
    TruncatedHandshakeHeader,

    /// <summary>A handshake fragment whose fragment_length runs past its record.</summary>
    FragmentLongerThanRecord,

    /// <summary>A handshake fragment whose offset plus length runs past the message length it claims.</summary>
    FragmentOutsideMessage,

    /// <summary>A handshake message claiming more than <see cref="DtlsDatagramFraming.MaxHandshakeMessageLength"/> bytes.</summary>
    HandshakeMessageTooLong,

    /// <summary>More records in one datagram than any real flight packs.</summary>
    TooManyRecords,
}
