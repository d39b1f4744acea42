using Sfu.Core.Srtp;

namespace Sfu.Core.Dtls;

/// <summary>
/// Outcome of <see cref="DtlsTransport.HandshakeAsync"/>: either the negotiated SRTP profile
/// with its master keys and salts, or an <see cref="Error"/> with a readable message.
/// </summary>
/// <remarks>
/// The keying material is exported with label "EXTRACTOR-dtls_srtp" and split as RFC 5764 §4.2
/// lays it out:
/// <code>
/// client_write_SRTP_master_key[key_len] | server_write_SRTP_master_key[key_len] |
/// client_write_SRTP_master_salt[salt_len] | server_write_SRTP_master_salt[salt_len]
/// </code>
/// The DTLS client protects what it sends with the client keys; the server with the server keys.
/// <see cref="LocalMasterKey"/> and friends pick the right half for our <see cref="Role"/>.
/// </remarks>
public sealed class DtlsHandshakeResult
{
    private static readonly byte[] Empty = [];

    private DtlsHandshakeResult()
    {
    }

    /// <summary>True when keys were negotiated.</summary>
    public bool Succeeded => Error == DtlsHandshakeError.None;

    /// <summary>Why the handshake failed, or <see cref="DtlsHandshakeError.None"/>.</summary>
    public DtlsHandshakeError Error { get; private init; }

    /// <summary>Readable explanation of a failure (empty on success).</summary>
    public string ErrorMessage { get; private init; } = string.Empty;

    /// <summary>The alert description (RFC 5246 §7.2) involved in a failure, if any.</summary>
    public byte? Alert { get; private init; }

    /// <summary>The role we played.</summary>
    public DtlsRole Role { get; private init; }

    /// <summary>The negotiated SRTP protection profile.</summary>
    public SrtpProfile Profile { get; private init; }

    /// <summary>The negotiated TLS cipher suite number (IANA registry), e.g. 0xC02B.</summary>
    public int CipherSuite { get; private init; }

    /// <summary>The negotiated cipher suite's IANA name, e.g. "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256".</summary>
    public string CipherSuiteName => DtlsCipherSuites.Name(CipherSuite);

    /// <summary>
    /// Time from the first datagram of the handshake (our ClientHello, or the peer's as server)
    /// to completion; for failures, time spent in the handshake.
    /// </summary>
    public TimeSpan Duration { get; private init; }

    /// <summary>SRTP master key used by the DTLS client to protect what it sends.</summary>
    public ReadOnlyMemory<byte> ClientWriteKey { get; private init; }

    /// <summary>SRTP master key used by the DTLS server to protect what it sends.</summary>
    public ReadOnlyMemory<byte> ServerWriteKey { get; private init; }

    /// <summary>SRTP master salt of the DTLS client's direction.</summary>
    public ReadOnlyMemory<byte> ClientWriteSalt { get; private init; }

    /// <summary>SRTP master salt of the DTLS server's direction.</summary>
    public ReadOnlyMemory<byte> ServerWriteSalt { get; private init; }

    /// <summary>Master key for what we send (our SRTP sender context).</summary>
    public ReadOnlyMemory<byte> LocalMasterKey => Role == DtlsRole.Client ? ClientWriteKey : ServerWriteKey;

    /// <summary>Master salt for what we send.</summary>
    public ReadOnlyMemory<byte> LocalMasterSalt => Role == DtlsRole.Client ? ClientWriteSalt : ServerWriteSalt;

    /// <summary>Master key for what the peer sends (our SRTP receiver context).</summary>
    public ReadOnlyMemory<byte> RemoteMasterKey => Role == DtlsRole.Client ? ServerWriteKey : ClientWriteKey;

    /// <summary>Master salt for what the peer sends.</summary>
    public ReadOnlyMemory<byte> RemoteMasterSalt => Role == DtlsRole.Client ? ServerWriteSalt : ClientWriteSalt;

    /// <summary>Builds a success result, splitting the exported keying material per RFC 5764 §4.2.</summary>
    /// <exception cref="ArgumentException">The material's length does not match the profile.</exception>
    internal static DtlsHandshakeResult Success(DtlsRole role, SrtpProfile profile, int cipherSuite, byte[] keyingMaterial, TimeSpan duration)
    {
        int keyLength = DtlsSrtpProfiles.MasterKeyLength(profile);
        int saltLength = DtlsSrtpProfiles.MasterSaltLength(profile);
        if (keyLength == 0 || keyingMaterial.Length != 2 * (keyLength + saltLength))
        {
            throw new ArgumentException("Keying material length does not match the SRTP profile.", nameof(keyingMaterial));
        }

        var material = new ReadOnlyMemory<byte>(keyingMaterial);
        return new DtlsHandshakeResult
        {
            Role = role,
            Profile = profile,
            CipherSuite = cipherSuite,
            Duration = duration,
            ClientWriteKey = material.Slice(0, keyLength),
            ServerWriteKey = material.Slice(keyLength, keyLength),
            ClientWriteSalt = material.Slice(2 * keyLength, saltLength),
            ServerWriteSalt = material.Slice((2 * keyLength) + saltLength, saltLength),
        };
    }

    /// <summary>Builds a failure result.</summary>
    internal static DtlsHandshakeResult Failure(DtlsRole role, DtlsHandshakeError error, string message, byte? alert, TimeSpan duration) => new()
    {
        Role = role,
        Error = error,
        ErrorMessage = message,
        Alert = alert,
        Duration = duration,
        ClientWriteKey = Empty,
        ServerWriteKey = Empty,
        ClientWriteSalt = Empty,
        ServerWriteSalt = Empty,
    };

    /// <inheritdoc />
    public override string ToString() => Succeeded
        ? $"DTLS {Role} ok: {Profile}, {CipherSuiteName}, {Duration.TotalMilliseconds:F1} ms"
        : $"DTLS {Role} failed: {Error}: {ErrorMessage}";
}
