using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;
using BcDtlsTransport = Org.BouncyCastle.Tls.DtlsTransport;

namespace Sfu.Core.Dtls;

/// <summary>
/// One peer's DTLS 1.2 association for DTLS-SRTP (RFC 5763, RFC 5764, RFC 8827), run by
/// BouncyCastle on a dedicated worker thread for the handshake only.
/// </summary>
/// <remarks>
/// <para>Driving it from a UDP receive loop:</para>
/// <code>
/// var dtls = new DtlsTransport(cert, DtlsRole.Server, "sha-256", remoteFingerprint, sender);
/// dtls.Closed += (_, e) => ...;            // peer close_notify / fatal alert after the handshake
/// var handshake = dtls.HandshakeAsync(ct); // start once ICE has a pair
/// // receive loop, for datagrams whose first byte is 20..63 (RFC 7983 §7):
/// dtls.EnqueueIncoming(datagram);          // copies, never blocks or throws
/// DtlsHandshakeResult r = await handshake; // r.Succeeded ? r.Profile, r.LocalMasterKey... : r.Error
/// </code>
/// <para>
/// The worker runs BouncyCastle's blocking DtlsServerProtocol/DtlsClientProtocol; its receive
/// blocks on a bounded queue filled by <see cref="EnqueueIncoming"/> and its sends go to the
/// <see cref="IDtlsDatagramSender"/>. After a successful handshake the thread ends: a datagram
/// that arrives later is read on the thread pool, so a retransmitted final flight is still
/// answered (RFC 6347 §4.2.4) and close_notify or a fatal alert from the peer raises
/// <see cref="Closed"/>, but an established association holds no thread of its own.
/// Application data is ignored (no data channels). Every failure completes the handshake task
/// with a result, never an exception.
/// </para>
/// </remarks>
public sealed partial class DtlsTransport : IDisposable, IThreadPoolWorkItem
{
    /// <summary>Datagrams up to this size are accepted whatever our own MTU (the peer picks its own).</summary>
    internal const int MinReceiveLimit = 1500;

    private static readonly TimeSpan WorkerJoinTimeout = TimeSpan.FromSeconds(1);

    private readonly DtlsRole _role;
    private readonly TimeProvider _time;
    private readonly DtlsTransportOptions _options;
    private readonly DtlsDatagramQueue _queue;
    private readonly DtlsDatagramAdapter _adapter;
    private readonly DtlsHandshakeState _state;
    private readonly BcTlsCrypto _crypto;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Lock _gate = new();

    // Held while BouncyCastle reads after the handshake and while we close: its record layer
    // is not meant to be entered from two threads at once.
    private readonly Lock _readGate = new();
    private readonly TaskCompletionSource<DtlsHandshakeResult> _handshake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Task? _worker;
    private int _workerThreadId;
    private BcDtlsTransport? _connection;
    private DtlsHandshakeResult? _result;
    private bool _disposed;
    private volatile bool _closingLocally;
    private int _closedRaised;
    private volatile bool _established;
    private byte[]? _readSink;
    private int _readScheduled;
    private int _malformed;
    private int _firstMalformed;

    /// <summary>Creates a transport; nothing is sent until <see cref="HandshakeAsync"/>.</summary>
    /// <param name="local">Our certificate (shared per process).</param>
    /// <param name="role">Client or server, from the SDP setup attribute (RFC 5763 §5).</param>
    /// <param name="remoteFingerprintAlgorithm">Hash function of the peer's <c>a=fingerprint</c>, e.g. "sha-256".</param>
    /// <param name="remoteFingerprint">The peer's fingerprint, "AB:CD:..." (any case).</param>
    /// <param name="sender">Where our datagrams go.</param>
    /// <param name="time">Clock for the handshake timeout and duration; system clock by default.</param>
    /// <param name="mtu">Largest datagram we send; handshake messages are fragmented to fit.</param>
    /// <param name="options">Timeouts and SRTP profile preference.</param>
    /// <exception cref="ArgumentException">The fingerprint does not parse; validate SDP with <see cref="DtlsFingerprint.TryParse"/> first.</exception>
    public DtlsTransport(
        DtlsCertificate local,
        DtlsRole role,
        string remoteFingerprintAlgorithm,
        string remoteFingerprint,
        IDtlsDatagramSender sender,
        TimeProvider? time = null,
        int mtu = 1200,
        DtlsTransportOptions? options = null)
        : this(local, role, ParseFingerprint(remoteFingerprintAlgorithm, remoteFingerprint), sender, time, mtu, options)
    {
    }

    /// <summary>Creates a transport from an already parsed fingerprint.</summary>
    public DtlsTransport(
        DtlsCertificate local,
        DtlsRole role,
        DtlsFingerprint remoteFingerprint,
        IDtlsDatagramSender sender,
        TimeProvider? time = null,
        int mtu = 1200,
        DtlsTransportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(remoteFingerprint);
        ArgumentNullException.ThrowIfNull(sender);

        // Below ~256 bytes a ClientHello fragment would not even carry its headers usefully.
        ArgumentOutOfRangeException.ThrowIfLessThan(mtu, 256);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mtu, 65507);

        _role = role;
        _time = time ?? TimeProvider.System;
        _options = options ?? DtlsTransportOptions.Default;
        Mtu = mtu;
        int receiveLimit = Math.Max(mtu, MinReceiveLimit);
        _queue = new DtlsDatagramQueue(_options.ReceiveQueueCapacity, receiveLimit);
        _adapter = new DtlsDatagramAdapter(_queue, sender, _time, mtu, receiveLimit);
        _state = new DtlsHandshakeState(local, remoteFingerprint, _options);
        _crypto = new BcTlsCrypto(new SecureRandom());
    }

    /// <summary>The role we play.</summary>
    public DtlsRole Role => _role;

    /// <summary>Largest datagram we send.</summary>
    public int Mtu { get; }

    /// <summary>The handshake outcome once known, else null.</summary>
    public DtlsHandshakeResult? Result => Volatile.Read(ref _result);

    /// <summary>True while a thread of this transport's own runs (the handshake); false once established.</summary>
    internal bool HoldsThread => _worker is { IsCompleted: false };

    private static DtlsFingerprint ParseFingerprint(string algorithm, string value) =>
        DtlsFingerprint.TryParse(algorithm, value, out DtlsFingerprint? fingerprint)
            ? fingerprint
            : throw new ArgumentException($"'{algorithm} {value}' is not a valid SDP fingerprint (RFC 8122 §5).", nameof(value));
}
