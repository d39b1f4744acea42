using System.Net;
using System.Security.Cryptography;
using System.Text;
using Sfu.Core.Ice;
using Sfu.Core.Stun;

namespace Sfu.Bots;

/// <summary>
/// A full ICE agent (RFC 8445) for one component and one local host candidate: it checks every
/// remote candidate, answers the peer's own checks, and keeps consent fresh (RFC 7675). In the
/// controlling role (the bot offered, or the peer is ICE-lite) it nominates the best pair that
/// works (regular nomination, §8.1.1); in the controlled role (a full agent offered) it takes the
/// pair the peer nominates with USE-CANDIDATE (§7.3.1.5).
/// </summary>
/// <remarks>
/// Thread use: <see cref="OnStun"/> runs on the receive loop, <see cref="Tick"/> on the bot's
/// control loop; a lock guards the check list (STUN is rare next to media, so it is cheap).
/// Not implemented: switching roles after a role conflict (§7.3.1.1) — the bot takes the role
/// its side of offer/answer gives it (§6.1.1), so against a conforming peer no conflict arises.
/// </remarks>
internal sealed class IceAgent
{
    /// <summary>Host candidate priority with local preference 65535 (RFC 8445 §5.1.2.1: type preference 126).</summary>
    public const uint HostPriority = (126u << 24) | (65535u << 8) | 255u;

    /// <summary>PRIORITY sent in checks: what a peer-reflexive candidate of ours would get (type preference 110, §7.1.1).</summary>
    public const uint PeerReflexivePriority = (110u << 24) | (65535u << 8) | 255u;

    private const int MaxTransmissions = 7;

    private static readonly TimeSpan Pacing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan InitialRto = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ConsentTimeout = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly IceCredentials _local;
    private readonly byte[] _localUfrag;
    private readonly byte[] _localKey;
    private readonly IBotDatagramSender _sender;
    private readonly TimeProvider _time;
    private readonly ulong _tieBreaker;
    private readonly TimeSpan _consentMin;
    private readonly TimeSpan _consentMax;
    private readonly bool _controlling;
    private readonly IPAddress _localAddress;
    private readonly List<IceCandidatePair> _pairs = [];
    private readonly List<Transaction> _transactions = [];
    private readonly TaskCompletionSource<SocketAddress> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly byte[] _response = new byte[256];
    private IceCredentials? _remote;
    // Checks that came before the peer's description was applied (§7.3: answered, but no pair
    // can be formed without its credentials): their sources, and whether one nominated.
    private readonly List<(IPEndPoint EndPoint, uint Priority)> _earlyChecks = [];
    private (IPEndPoint EndPoint, uint Priority)? _earlyNomination;
    private IceCandidatePair? _selected;
    private bool _nominating;
    private long _lastCheck = long.MinValue;
    private long _nextConsent;
    private long _lastConsent;

    public IceAgent(IceCredentials local, IBotDatagramSender sender, TimeProvider time, TimeSpan consentMin, TimeSpan consentMax, bool controlling = true, IPAddress? localAddress = null)
    {
        _controlling = controlling;
        _localAddress = localAddress ?? IPAddress.Loopback;
        _local = local;
        _localUfrag = Encoding.ASCII.GetBytes(local.Ufrag);
        _localKey = Encoding.ASCII.GetBytes(local.Password);
        _sender = sender;
        _time = time;
        _consentMin = consentMin;
        _consentMax = consentMax;
        _tieBreaker = RandomTieBreaker();
    }

    /// <summary>Completes with the nominated remote address, or fails when every pair failed.</summary>
    public Task<SocketAddress> Connected => _connected.Task;

    /// <summary>The nominated remote address, once nomination succeeded.</summary>
    public SocketAddress? SelectedAddress { get; private set; }

    public long ChecksSent { get; private set; }

    public long ChecksAnswered { get; private set; }

    public long ConsentResponses { get; private set; }

    /// <summary>True once no consent check was answered for 30 s (RFC 7675 §5.1): media must stop.</summary>
    public bool ConsentExpired { get; private set; }

    /// <summary>Sets the peer's credentials and candidates from its SDP; checks start on the next tick.</summary>
    public void Start(IceCredentials remote, IEnumerable<(IPEndPoint EndPoint, uint Priority)> candidates)
    {
        lock (_gate)
        {
            _remote = remote;
            foreach ((IPEndPoint endPoint, uint priority) in candidates)
            {
                AddPairLocked(endPoint, priority);
            }

            _pairs.Sort((a, b) => b.Priority.CompareTo(a.Priority));

            // A controlling peer that got our answer first may have nominated before we knew its
            // credentials (aggressive nomination sends USE-CANDIDATE once): honour it now.
            if (_earlyNomination is (IPEndPoint nominee, uint early) && AddPairLocked(nominee, early) is IceCandidatePair nominated)
            {
                nominated.State = IcePairState.Succeeded;
                Select(nominated);
                return;
            }

            // An early check's source is a peer-reflexive candidate (§7.3.1.3) and gets its
            // triggered check now (§7.3.1.4): a peer whose description listed no candidate yet
            // (Janus under load, trickling them later) is then still reached, and its next
            // check may nominate the pair.
            foreach ((IPEndPoint endPoint, uint priority) in _earlyChecks)
            {
                if (AddPairLocked(endPoint, priority) is IceCandidatePair pair && pair.State is not (IcePairState.InProgress or IcePairState.Succeeded))
                {
                    pair.State = IcePairState.Waiting;
                    pair.Triggered = true;
                }
            }

            _earlyChecks.Clear();
        }
    }

    /// <summary>Runs timers: paced new checks (Ta = 50 ms, §14.2), retransmissions (RFC 8489 §6.2.1), nomination, consent.</summary>
    public void Tick()
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_remote is null)
            {
                return;
            }

            Retransmit(now);
            if (_selected is not null)
            {
                KeepConsent(now);
                return;
            }

            if (_lastCheck != long.MinValue && _time.GetElapsedTime(_lastCheck, now) < Pacing)
            {
                return;
            }

            IceCandidatePair? valid = null;
            foreach (IceCandidatePair pair in _pairs)
            {
                if (pair.State == IcePairState.Succeeded && (valid is null || pair.Priority > valid.Priority))
                {
                    valid = pair;
                }
            }

            if (_controlling && valid is not null && !_nominating)
            {
                // Regular nomination (§8.1.1): repeat the check on the valid pair with USE-CANDIDATE.
                _nominating = true;
                SendCheck(valid, useCandidate: true, consent: false, now);
                return;
            }

            IceCandidatePair? next = null;
            foreach (IceCandidatePair pair in _pairs)
            {
                if (pair.Triggered && pair.State is IcePairState.Waiting or IcePairState.Succeeded)
                {
                    next = pair;
                    break;
                }
            }

            next ??= _pairs.Find(p => p.State == IcePairState.Waiting);
            if (next is not null)
            {
                next.Triggered = false;
                SendCheck(next, useCandidate: false, consent: false, now);
            }
            else if (valid is null && _transactions.Count == 0 && _pairs.Count > 0)
            {
                _connected.TrySetException(new IceFailedException("Every ICE candidate pair failed."));
            }
        }
    }

    /// <summary>Handles one STUN datagram: a response to our check, or a check from the peer to answer.</summary>
    public void OnStun(ReadOnlySpan<byte> datagram, SocketAddress source)
    {
        if (StunMessage.TryParse(datagram, out StunMessage message) != StunParseResult.Ok || message.Method != StunMethod.Binding)
        {
            return;
        }

        lock (_gate)
        {
            if (message.Class == StunClass.Request)
            {
                AnswerCheck(message, source);
            }
            else if (message.Class is StunClass.SuccessResponse or StunClass.ErrorResponse)
            {
                OnResponse(message, source);
            }
        }
    }

    private void OnResponse(in StunMessage response, SocketAddress source)
    {
        Transaction? transaction = null;
        foreach (Transaction t in _transactions)
        {
            if (response.TransactionId.SequenceEqual(t.Id))
            {
                transaction = t;
                break;
            }
        }

        if (transaction is null || _remote is null)
        {
            return;
        }

        // Responses are only trusted when they are authentic and come back from where the check
        // went (the symmetric-address rule, RFC 8445 §7.2.5.2.1).
        IceCandidatePair pair = transaction.Pair;
        if (!source.Equals(pair.RemoteAddress))
        {
            return;
        }

        if (response.Class == StunClass.ErrorResponse)
        {
            // 400/401 come unsigned (the peer had no key to sign with); anything signed must verify.
            if (response.HasMessageIntegrity && !VerifyError(response))
            {
                return;
            }

            _transactions.Remove(transaction);
            Fail(transaction);
            return;
        }

        if (!IceBindingResponseValidator.IsAuthenticatedSuccess(response, transaction.Id, _remote))
        {
            return;
        }

        _transactions.Remove(transaction);
        if (transaction.Consent)
        {
            ConsentResponses++;
            _lastConsent = _time.GetTimestamp();
            return;
        }

        pair.State = IcePairState.Succeeded;
        if (transaction.UseCandidate && _selected is null)
        {
            Select(pair);
        }
    }

    private void Select(IceCandidatePair pair)
    {
        _selected = pair;
        SelectedAddress = pair.RemoteAddress;
        long now = _time.GetTimestamp();
        _lastConsent = now;
        _nextConsent = now + ConsentDelayTicks();
        _connected.TrySetResult(pair.RemoteAddress);
    }

    private bool VerifyError(in StunMessage response)
        => _remote is not null && response.VerifyMessageIntegrity(Encoding.ASCII.GetBytes(_remote.Password));

    private void Fail(Transaction transaction)
    {
        if (transaction.Consent)
        {
            return;
        }

        transaction.Pair.State = IcePairState.Failed;
        if (transaction.UseCandidate)
        {
            _nominating = false;
        }
    }

    private void AnswerCheck(in StunMessage request, SocketAddress source)
    {
        if (request.HasFingerprint && !request.VerifyFingerprint())
        {
            return;
        }

        // RFC 8445 §7.3: USERNAME must be "<our ufrag>:<their ufrag>" and MESSAGE-INTEGRITY use our password.
        ReadOnlySpan<byte> username = request.Username;
        if (username.Length <= _localUfrag.Length
            || !username.StartsWith(_localUfrag)
            || username[_localUfrag.Length] != (byte)':'
            || !request.HasMessageIntegrity
            || !request.VerifyMessageIntegrity(_localKey))
        {
            var error = new StunMessageWriter(_response, StunMethod.Binding, StunClass.ErrorResponse, request.TransactionId);
            error.AddErrorCode(401, "Unauthenticated");
            error.AddFingerprint();
            _sender.Send(error.Complete(), source);
            return;
        }

        // §7.3.1.1: both sides controlling — the larger tie-breaker stays controlling, the other is told 487.
        if (_controlling && request.TryGetIceControlling(out ulong theirs) && _tieBreaker >= theirs)
        {
            var conflict = new StunMessageWriter(_response, StunMethod.Binding, StunClass.ErrorResponse, request.TransactionId);
            conflict.AddErrorCode(487, "Role Conflict");
            conflict.AddMessageIntegrity(_localKey);
            conflict.AddFingerprint();
            _sender.Send(conflict.Complete(), source);
            return;
        }

        var writer = new StunMessageWriter(_response, StunMethod.Binding, StunClass.SuccessResponse, request.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(_localKey);
        writer.AddFingerprint();
        _sender.Send(writer.Complete(), source);
        ChecksAnswered++;

        // §7.3.1.3-4: a check from an unknown address is a peer-reflexive candidate; either way
        // the pair gets a triggered check so it can become valid from our side too.
        IceCandidatePair? pair = null;
        foreach (IceCandidatePair p in _pairs)
        {
            if (p.RemoteAddress.Equals(source))
            {
                pair = p;
                break;
            }
        }

        if (pair is null && request.TryGetPriority(out uint priority))
        {
            var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(source);
            if (_remote is not null)
            {
                pair = AddPairLocked(endPoint, priority);
            }
            else if (!_controlling && request.HasUseCandidate)
            {
                _earlyNomination = (endPoint, priority);
            }
            else if (_earlyChecks.Count < 8 && !_earlyChecks.Exists(c => c.EndPoint.Equals(endPoint)))
            {
                _earlyChecks.Add((endPoint, priority));
            }
        }

        // §7.3.1.5: a controlled agent takes the pair the controlling peer nominates. The peer
        // only nominates a pair its own check validated, so both directions work.
        if (!_controlling && pair is not null && _selected is null && request.HasUseCandidate)
        {
            pair.State = IcePairState.Succeeded;
            Select(pair);
            return;
        }

        if (pair is not null && pair.State is not (IcePairState.InProgress or IcePairState.Succeeded))
        {
            pair.State = IcePairState.Waiting;
            pair.Triggered = true;
        }
    }

    private IceCandidatePair? AddPairLocked(IPEndPoint endPoint, uint priority)
    {
        // The bot's socket is bound to 127.0.0.1 (or the benchmark address on lo), so only IPv4
        // loopback candidates and that address can ever pair with it.
        if (endPoint.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork
            || !(IPAddress.IsLoopback(endPoint.Address) || endPoint.Address.Equals(_localAddress)))
        {
            return null;
        }

        foreach (IceCandidatePair existing in _pairs)
        {
            if (existing.Remote.Equals(endPoint))
            {
                return existing;
            }
        }

        var pair = new IceCandidatePair(endPoint, priority, HostPriority);
        _pairs.Add(pair);
        return pair;
    }

    private void KeepConsent(long now)
    {
        if (_time.GetElapsedTime(_lastConsent, now) > ConsentTimeout)
        {
            ConsentExpired = true;
        }

        if (now < _nextConsent)
        {
            return;
        }

        _nextConsent = now + ConsentDelayTicks();
        SendCheck(_selected!, useCandidate: _controlling, consent: true, now);
    }

    private void Retransmit(long now)
    {
        for (int i = _transactions.Count - 1; i >= 0; i--)
        {
            Transaction t = _transactions[i];
            if (now < t.NextTimestamp)
            {
                continue;
            }

            if (t.Transmissions >= MaxTransmissions)
            {
                // RFC 8489 §6.2.1: after Rc sends and a final wait, the transaction has timed out.
                _transactions.RemoveAt(i);
                Fail(t);
                continue;
            }

            _sender.Send(t.Request, t.Pair.RemoteAddress);
            ChecksSent++;
            t.Transmissions++;
            t.Rto *= 2;

            // The last transmission waits Rm = 16 initial RTOs instead of another doubling.
            long wait = t.Transmissions == MaxTransmissions ? InitialRto.Ticks * 16 : t.Rto.Ticks;
            t.NextTimestamp = now + (long)(wait * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        }
    }

    private void SendCheck(IceCandidatePair pair, bool useCandidate, bool consent, long now)
    {
        var transaction = new Transaction(pair, useCandidate, consent);
        RandomNumberGenerator.Fill(transaction.Id);
        byte[] request = new byte[IceBindingRequestBuilder.MaxLength];
        int length = IceBindingRequestBuilder.Write(request, transaction.Id, _local, _remote!, PeerReflexivePriority, _tieBreaker, useCandidate, controlled: !_controlling);
        transaction.Request = request[..length];
        transaction.Transmissions = 1;
        transaction.Rto = InitialRto;
        transaction.NextTimestamp = now + (long)(InitialRto.Ticks * (_time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        if (!consent)
        {
            pair.State = IcePairState.InProgress;
        }

        _transactions.Add(transaction);
        _lastCheck = now;
        _sender.Send(transaction.Request, pair.RemoteAddress);
        ChecksSent++;
    }

    private long ConsentDelayTicks()
    {
        // RFC 7675 §5.1 randomizes the interval so many sessions do not check in lockstep.
        double seconds = _consentMin.TotalSeconds + (Random.Shared.NextDouble() * (_consentMax - _consentMin).TotalSeconds);
        return (long)(seconds * _time.TimestampFrequency);
    }

    private static ulong RandomTieBreaker()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    private sealed class Transaction(IceCandidatePair pair, bool useCandidate, bool consent)
    {
        public byte[] Id { get; } = new byte[12];

        public IceCandidatePair Pair { get; } = pair;

        public bool UseCandidate { get; } = useCandidate;

        public bool Consent { get; } = consent;

        public byte[] Request { get; set; } = [];

        public int Transmissions { get; set; }

        public TimeSpan Rto { get; set; }

        public long NextTimestamp { get; set; }
    }
}
