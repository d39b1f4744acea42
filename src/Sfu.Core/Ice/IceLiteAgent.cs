using System.Net;
using System.Text;
using Sfu.Core.Net;
using Sfu.Core.Stun;

namespace Sfu.Core.Ice;

/// <summary>
/// The responder side of ICE-lite for one peer (RFC 8445 §2.5, §7.3): answers the browser's
/// connectivity checks, tracks which remote address media goes to, and watches consent
/// freshness (RFC 7675). A lite agent never sends checks and is always controlled
/// (RFC 8445 §6.1.1). Single-threaded: call it from the media path only, under its room's media gate.
/// </summary>
public sealed class IceLiteAgent
{
    /// <summary>Consent expires after 30 s without an authenticated check (RFC 7675 §5.1).</summary>
    public static readonly TimeSpan DefaultConsentTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The largest answer <see cref="ProcessBindingRequest"/> writes: header 20 + XOR-MAPPED-ADDRESS
    /// (IPv6) 24 + MESSAGE-INTEGRITY 24 + FINGERPRINT 8; the 487 answer (20 + 20 + 24 + 8) is smaller.
    /// </summary>
    public const int MaxResponseLength = 76;

    /// <summary>
    /// How long the selected pair must have been silent before a nomination of a lower-priority
    /// pair takes media over: longer than a browser's check interval on a pair in use (about
    /// 2.5 s in libwebrtc), far shorter than consent's 30 s.
    /// </summary>
    public static readonly TimeSpan QuietBeforeLowerNomination = TimeSpan.FromSeconds(4);

    private const string BadRequestReason = "Bad Request";
    private const string UnauthenticatedReason = "Unauthenticated";
    private const string RoleConflictReason = "Role Conflict";

    private readonly byte[] _localUfrag;
    private readonly byte[] _remoteUfrag;
    private readonly byte[] _key;
    private readonly TimeProvider _time;
    private readonly TimeSpan _consentTimeout;
    private IceSelection? _selected;

    // The PRIORITY the peer put in the checks of the selected pair (RFC 8445 §7.1.1).
    private uint _selectedPriority;

    // The credentials before an ICE restart, still honoured until the first check that uses
    // the new ones: the peer keeps sending consent checks with the old ones until it has
    // applied our answer (RFC 8445 §9).
    private byte[]? _previousLocalUfrag;
    private byte[]? _previousRemoteUfrag;
    private byte[]? _previousKey;

    /// <summary>Creates an agent with the default 30 s consent timeout.</summary>
    public IceLiteAgent(IceCredentials local, string? remoteUfrag, TimeProvider time)
        : this(local, remoteUfrag, time, DefaultConsentTimeout)
    {
    }

    /// <summary>
    /// Creates an agent for our <paramref name="local"/> credentials. A null or empty
    /// <paramref name="remoteUfrag"/> means the remote description is not known yet and any
    /// sender ufrag is accepted; the password check still applies.
    /// </summary>
    public IceLiteAgent(IceCredentials local, string? remoteUfrag, TimeProvider time, TimeSpan consentTimeout)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(consentTimeout, TimeSpan.Zero);

        // ice-chars are ASCII, so these are the exact USERNAME / key bytes (RFC 8489 §9.1.1).
        _localUfrag = Encoding.ASCII.GetBytes(local.Ufrag);
        _remoteUfrag = string.IsNullOrEmpty(remoteUfrag) ? [] : Encoding.UTF8.GetBytes(remoteUfrag);
        _key = Encoding.ASCII.GetBytes(local.Password);
        _time = time;
        _consentTimeout = consentTimeout;

        // Counting from creation means a peer that never completes a check also expires.
        LastConsentTimestamp = time.GetTimestamp();
    }

    /// <summary>
    /// The agent after an ICE restart (RFC 8445 §9; RFC 8839 §4.4.1.1.1: new credentials on
    /// both sides). The selected address and consent carry over, so media keeps flowing on the
    /// old path until the peer nominates a new one, and checks with the old credentials are
    /// still answered until one with the new credentials arrives. Built on the signaling side;
    /// the media path switches to it with one reference write.
    /// </summary>
    public IceLiteAgent Restart(IceCredentials local, string remoteUfrag)
    {
        ArgumentException.ThrowIfNullOrEmpty(remoteUfrag);
        var next = new IceLiteAgent(local, remoteUfrag, _time, _consentTimeout)
        {
            _selected = _selected,
            _selectedPriority = _selectedPriority,
            IsNominated = IsNominated,
            LastConsentTimestamp = LastConsentTimestamp,
            _previousLocalUfrag = _localUfrag,
            _previousRemoteUfrag = _remoteUfrag,
            _previousKey = _key,
        };
        return next;
    }

    /// <summary>True while checks with the credentials from before the last restart are still answered.</summary>
    public bool AcceptsPreviousCredentials => _previousKey is not null;

    /// <summary>Where media goes: the remote address of the current selected pair, null until the first valid check.</summary>
    public SocketAddress? SelectedAddress => _selected?.Address;

    /// <summary>
    /// The selected pair as one reference: its remote address and the path it was checked on
    /// (null when checks come without one). Read once, it never pairs one selection's address
    /// with another's path.
    /// </summary>
    public IceSelection? Selection => _selected;

    /// <summary>True once the selected address was confirmed by a check carrying USE-CANDIDATE.</summary>
    public bool IsNominated { get; private set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the last valid check from the selected address (or of creation).</summary>
    public long LastConsentTimestamp { get; private set; }

    /// <summary>Cheap test whether a datagram came from the selected address (no allocation).</summary>
    public bool IsFromSelected(SocketAddress source) => IsFromSelected(source, null);

    /// <summary>Whether a datagram came from the selected address over the selected path (a TCP connection, or the UDP port).</summary>
    public bool IsFromSelected(SocketAddress source, IDatagramPath? path)
        => _selected is { } selected && ReferenceEquals(selected.Path, path) && SocketAddressOps.AreEqual(selected.Address, source);

    /// <summary>True when no valid check arrived from the selected address for longer than the timeout (RFC 7675 §5.1).</summary>
    public bool IsConsentExpired() => _time.GetElapsedTime(LastConsentTimestamp) > _consentTimeout;

    /// <summary>
    /// Handles one STUN message from <paramref name="source"/> and writes the answer, if any, into
    /// <paramref name="response"/> (at least <see cref="MaxResponseLength"/> bytes);
    /// <paramref name="responseLength"/> is 0 when nothing should be sent. Order of checks:
    /// <list type="number">
    /// <item>Binding request class, else ignored.</item>
    /// <item>FINGERPRINT if present, else silently dropped (RFC 8489 §7.3).</item>
    /// <item>USERNAME and MESSAGE-INTEGRITY present, else 400 (RFC 8489 §9.1.3).</item>
    /// <item>USERNAME is "localUfrag:remoteUfrag" (RFC 8445 §7.2.2), else 401.</item>
    /// <item>MESSAGE-INTEGRITY keyed with our password, else 401. Error answers to unauthenticated
    /// requests carry no MESSAGE-INTEGRITY (RFC 8489 §9.1.3).</item>
    /// <item>No ICE-CONTROLLED: a lite agent stays controlled, so a peer that is also controlled
    /// gets a signed 487 (RFC 8445 §7.3.1.1, §6.1.1).</item>
    /// </list>
    /// A valid check is answered with XOR-MAPPED-ADDRESS = source, MESSAGE-INTEGRITY and
    /// FINGERPRINT (RFC 8445 §7.3). The first valid check selects its source; later only a valid
    /// check with USE-CANDIDATE moves the selection (RFC 8445 §7.3.1.5), so a spoofed or stale
    /// packet can never redirect media; away from a nominated pair to one of lower PRIORITY only
    /// once the selected pair has been quiet for <see cref="QuietBeforeLowerNomination"/>
    /// (RFC 8445 §8.1.1: the highest-priority nominated pair is used). Valid checks from the selected address renew consent.
    /// </summary>
    public IceCheckOutcome ProcessBindingRequest(in StunMessage request, SocketAddress source, Span<byte> response, out int responseLength)
        => ProcessBindingRequest(request, source, null, response, out responseLength);

    /// <summary>
    /// As <see cref="ProcessBindingRequest(in StunMessage, SocketAddress, Span{byte}, out int)"/>,
    /// for a check that arrived over <paramref name="path"/>: a candidate pair is its address and
    /// its transport (RFC 6544 §7.1), so the same address over UDP and over a TCP connection are
    /// two pairs.
    /// </summary>
    public IceCheckOutcome ProcessBindingRequest(in StunMessage request, SocketAddress source, IDatagramPath? path, Span<byte> response, out int responseLength)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (response.Length < MaxResponseLength)
        {
            throw new ArgumentException($"The response buffer must hold {MaxResponseLength} bytes.", nameof(response));
        }

        responseLength = 0;
        if (request.Raw.IsEmpty)
        {
            return IceCheckOutcome.Malformed;
        }

        if (request.Method != StunMethod.Binding || request.Class != StunClass.Request)
        {
            return IceCheckOutcome.NotBindingRequest;
        }

        if (request.HasFingerprint && !request.VerifyFingerprint())
        {
            return IceCheckOutcome.Malformed;
        }

        ReadOnlySpan<byte> username = request.Username;
        if (username.IsEmpty || !request.HasMessageIntegrity)
        {
            responseLength = WriteUnsignedError(request, response, 400, BadRequestReason);
            return IceCheckOutcome.BadRequest;
        }

        byte[]? key = Authenticate(request, username);
        if (key is null)
        {
            responseLength = WriteUnsignedError(request, response, 401, UnauthenticatedReason);
            return IceCheckOutcome.Unauthorized;
        }

        if (request.TryGetAttribute(StunAttributeType.IceControlled, out _))
        {
            var error = new StunMessageWriter(response, StunMethod.Binding, StunClass.ErrorResponse, request.TransactionId);
            error.AddErrorCode(487, RoleConflictReason);
            error.AddMessageIntegrity(key);
            error.AddFingerprint();
            responseLength = error.Length;
            return IceCheckOutcome.RoleConflict;
        }

        bool nominated = request.HasUseCandidate;
        request.TryGetPriority(out uint priority);
        UpdateSelection(source, path, priority, nominated);
        if (IsFromSelected(source, path))
        {
            LastConsentTimestamp = _time.GetTimestamp();
        }

        var writer = new StunMessageWriter(response, StunMethod.Binding, StunClass.SuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(key);
        writer.AddFingerprint();
        responseLength = writer.Length;
        return nominated ? IceCheckOutcome.Nominated : IceCheckOutcome.Accepted;
    }

    /// <summary>
    /// The key that authenticates the check: ours, or the one from before a restart while that
    /// is still honoured (the first check with the new credentials retires it). Null: 401.
    /// </summary>
    private byte[]? Authenticate(in StunMessage request, ReadOnlySpan<byte> username)
    {
        if (IceUsername.Matches(username, _localUfrag, _remoteUfrag) && request.VerifyMessageIntegrity(_key))
        {
            _previousLocalUfrag = null;
            _previousRemoteUfrag = null;
            _previousKey = null;
            return _key;
        }

        if (_previousKey is not null
            && IceUsername.Matches(username, _previousLocalUfrag, _previousRemoteUfrag)
            && request.VerifyMessageIntegrity(_previousKey))
        {
            return _previousKey;
        }

        return null;
    }

    private void UpdateSelection(SocketAddress source, IDatagramPath? path, uint priority, bool nominated)
    {
        if (_selected is null)
        {
            _selected = new IceSelection(SocketAddressOps.Copy(source), path);
            _selectedPriority = priority;
            IsNominated = nominated;
            return;
        }

        if (!nominated)
        {
            return;
        }

        if (IsFromSelected(source, path))
        {
            _selectedPriority = priority;
            IsNominated = true;
            return;
        }

        // RFC 8445 §7.3.1.5: a nomination on another pair makes that pair the selected one;
        // this is how a peer that changed address (NAT rebinding, network switch) is followed.
        // But a peer that nominates every pair it checks (Firefox does, with both a UDP and a
        // TCP pair) keeps the nominated pair of the highest priority (RFC 8445 §8.1.1): a lower
        // one takes over only when the selected pair has gone quiet, as it does when the peer
        // has really moved. Otherwise media and DTLS would follow the last check to arrive, and
        // the peer's own packets on the better pair would be dropped as coming from elsewhere.
        if (IsNominated && priority < _selectedPriority && _time.GetElapsedTime(LastConsentTimestamp) < QuietBeforeLowerNomination)
        {
            return;
        }

        _selected = new IceSelection(SocketAddressOps.Copy(source), path);
        _selectedPriority = priority;
        IsNominated = true;
    }

    private static int WriteUnsignedError(in StunMessage request, Span<byte> response, int code, string reason)
    {
        var writer = new StunMessageWriter(response, StunMethod.Binding, StunClass.ErrorResponse, request.TransactionId);
        writer.AddErrorCode(code, reason);
        writer.AddFingerprint();
        return writer.Length;
    }
}
