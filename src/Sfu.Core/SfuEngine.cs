using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Ice;
using Sfu.Core.Net;
using Sfu.Core.Routing;
using Sfu.Core.Sessions;
using Sfu.Core.Srtp;
using Sfu.Core.Streams;

namespace Sfu.Core;

/// <summary>
/// The media plane: one UDP port (and its ICE-TCP listener), the peers on it, the rooms that
/// route between them. Datagrams are demultiplexed here (the single point where a packet meets
/// its peer); rooms change on the signaling path.
/// </summary>
public sealed partial class SfuEngine : IDatagramHandler, IPeerDirectory, IAsyncDisposable
{
    private readonly SfuOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SocketAddress, PeerTransport> _byAddress = new();
    private readonly ConcurrentDictionary<string, PeerTransport> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PeerTransport>.AlternateLookup<ReadOnlySpan<char>> _byUfragSpan;

    private readonly CancellationTokenSource _stop = new();
    private readonly DtlsTransportOptions _dtlsOptions;
    private readonly MediaServices _services;
    private readonly DtlsHandshakeGate _handshakes;
    private IDatagramPort? _port;
    private Task _housekeeping = Task.CompletedTask;
    private int _disposed;

    public SfuEngine(SfuOptions options, ILoggerFactory loggerFactory, TimeProvider? time = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SfuEngine>();
        Time = time ?? TimeProvider.System;
        FanOut = new FanOutWorkers(
            Math.Max(0, options.FanOutThreads ?? options.Threads - 1),
            options.FanOutShard,
            loggerFactory.CreateLogger<FanOutWorkers>(),
            options.FanOutSplitFromLoad);
        Rooms = new RoomRegistry(Time, FanOut);
        Metrics = new SfuMetrics(Counters, Rooms, meterFactory);
        Metrics.ObserveMediaThreads(() => (_port as UdpMediaPort)?.ThreadLoads ?? [], () => FanOut.Split, () => FanOut.ShardsByHelpers);
        _services = new MediaServices(Time, Counters, Metrics, loggerFactory, options.AnnouncedAddress, () => AnnouncedPort, (ulong)options.MaxVideoBitrate, () => AnnouncedTcpPort)
        {
            Limits = options.Limits,
            Retransmissions = new RetransmissionBudget(options.Limits.RetransmissionBufferBytes),
        };
        Certificate = DtlsCertificate.Generate(Time);
        _byUfragSpan = _byUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
        _dtlsOptions = new DtlsTransportOptions
        {
            HandshakeTimeout = TimeSpan.FromSeconds(options.DtlsHandshakeTimeoutSeconds),
            SrtpProfiles = options.SrtpProfiles.Count == 0
                ? DtlsTransportOptions.Default.SrtpProfiles
                : [.. options.SrtpProfiles.Select(name => Enum.Parse<SrtpProfile>(name, ignoreCase: true))],
        };
        AnnouncedAddress = options.AnnouncedAddress;
        _handshakes = new DtlsHandshakeGate(options.Limits.DtlsHandshakesInFlight, options.Limits.DtlsHandshakeQueue);
    }

    public TimeProvider Time { get; }

    public MediaCounters Counters { get; } = new();

    /// <summary>The helper threads that share large fan-outs with the media threads.</summary>
    public FanOutWorkers FanOut { get; }

    public RoomRegistry Rooms { get; }

    /// <summary>The instruments of the meter named <see cref="SfuMetrics.MeterName"/>.</summary>
    public SfuMetrics Metrics { get; }

    public DtlsCertificate Certificate { get; }

    /// <summary>DTLS handshakes running and waiting now.</summary>
    public DtlsHandshakeGate Handshakes => _handshakes;

    public string AnnouncedAddress { get; }

    public int AnnouncedPort => _options.AnnouncedPort > 0 ? _options.AnnouncedPort : MediaEndPoint.Port;

    public IPEndPoint MediaEndPoint => _port?.LocalEndPoint ?? throw new InvalidOperationException("The media port is not bound yet.");

    public bool IsReady => _port is { IsReceiving: true };

    /// <summary>The most participants a room admits (0: no limit).</summary>
    public int MaxParticipantsPerRoom => _options.MaxParticipantsPerRoom;

    public TimeSpan ConsentTimeout => TimeSpan.FromSeconds(_options.ConsentTimeoutSeconds);

    /// <summary>Binds the media port and starts its media threads and the housekeeping timer.</summary>
    public void Start()
    {
        if (_port is not null)
        {
            return;
        }

        var bind = new IPEndPoint(IPAddress.Parse(_options.BindAddress), _options.Port);
        var udp = new UdpMediaPort(bind, _loggerFactory.CreateLogger<UdpMediaPort>(), Counters, _options.Threads, _options.ReceiveBatch);
        StartTcp(bind.Address, udp.LocalEndPoint.Port);
        Start(udp);
    }

    /// <summary>
    /// Starts on <paramref name="port"/>: the UDP socket, or a port that is not a socket when
    /// a benchmark or test drives the real packet path itself.
    /// </summary>
    public void Start(IDatagramPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        if (_port is not null)
        {
            throw new InvalidOperationException("The engine is started already.");
        }

        _port = port;
        FanOut.Start(port);
        _port.Start(this);
        _housekeeping = HousekeepingAsync(_stop.Token);
        LogStarted(_logger, _port.LocalEndPoint, AnnouncedAddress);
    }

    /// <summary>
    /// Creates a participant with a fresh ICE identity in the named room, allowed what
    /// <paramref name="permissions"/> says (default: <see cref="ParticipantPermissions.All"/>).
    /// </summary>
    /// <exception cref="SignalingException">The room is full (<see cref="SfuOptions.MaxParticipantsPerRoom"/>).</exception>
    public Participant Join(string roomName, string displayName, IParticipantEvents events, ParticipantPermissions? permissions = null)
    {
        IDatagramPort port = _port ?? throw new InvalidOperationException("The engine is not started.");
        return Rooms.Enter(roomName, _options.MaxParticipantsPerRoom, room =>
        {
            var transport = new PeerTransport(
                UniqueIceCredentials(),
                Certificate,
                port,
                this,
                Counters,
                Time,
                _loggerFactory.CreateLogger<PeerTransport>(),
                ConsentTimeout,
                _dtlsOptions)
            {
                Ingress = new IngressLimiter(_options.Limits, Time.TimestampFrequency),
                HandshakeGate = _handshakes,
                MediaGate = room.MediaGate,
            };
            _byUfrag[transport.LocalIce.Ufrag] = transport;
            var participant = new Participant(NewParticipantId(), displayName, room, transport, events, _services)
            {
                Permissions = permissions ?? ParticipantPermissions.All,
            };
            transport.Connected += (_, _) => OnConnected(transport);
            transport.Failed += (_, reason) => Remove(participant, reason);
            return participant;
        });
    }

    /// <summary>Fresh credentials whose ufrag no session uses (the ufrag routes first contact).</summary>
    private IceCredentials UniqueIceCredentials()
    {
        IceCredentials ice;
        do
        {
            ice = IceCredentials.Generate();
        }
        while (_byUfrag.ContainsKey(ice.Ufrag));

        return ice;
    }

    /// <summary>
    /// Takes a participant out of its room, ending its tracks at every subscriber. Returns
    /// the producers that ended (empty when it had already left).
    /// </summary>
    public IReadOnlyList<Producer> Leave(Participant participant) => LeaveCore(participant, out _);

    private ImmutableArray<Producer> LeaveCore(Participant participant, out bool left)
    {
        ArgumentNullException.ThrowIfNull(participant);
        ImmutableArray<Producer> producers = Rooms.Exit(participant, out left);
        if (!left)
        {
            return [];
        }

        participant.Room.RequestRenegotiation();
        PeerTransport transport = participant.Transport;
        RetireUfrag(transport.LocalIce.Ufrag, transport);
        if (transport.PreviousLocalUfrag is string previous)
        {
            RetireUfrag(previous, transport);
        }

        transport.Dispose();
        LogLeft(_logger, participant.Id, participant.Room.Name);
        return producers;
    }

    /// <summary>Ends a participant from the media plane's side and tells its signaling why.</summary>
    public void Remove(Participant participant, string reason)
    {
        ArgumentNullException.ThrowIfNull(participant);
        ImmutableArray<Producer> unpublished = LeaveCore(participant, out bool left);
        if (left)
        {
            LogRemoved(_logger, participant.Id, reason);
            _ = NotifyRemovedAsync(participant, reason, unpublished);
        }
    }

    private async Task NotifyRemovedAsync(Participant participant, string reason, IReadOnlyList<Producer> unpublished)
    {
        try
        {
            await participant.Events.RemovedAsync(reason, unpublished).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The participant is gone already; a closed signaling link is not an error.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogNotifyFailed(_logger, participant.Id, e);
        }
    }

    private void OnConnected(PeerTransport transport)
    {
        if (transport.HandshakeDuration is TimeSpan handshake)
        {
            Metrics.RecordDtlsHandshake(handshake);
        }
    }

    void IPeerDirectory.Bind(SocketAddress address, PeerTransport transport) => _byAddress[address] = transport;

    IceCredentials IPeerDirectory.IssueCredentials(PeerTransport transport)
    {
        IceCredentials fresh = UniqueIceCredentials();
        _byUfrag[fresh.Ufrag] = transport;
        return fresh;
    }

    void IPeerDirectory.RetireUfrag(string ufrag, PeerTransport transport) => RetireUfrag(ufrag, transport);

    private void RetireUfrag(string ufrag, PeerTransport transport)
        => _byUfrag.TryRemove(new KeyValuePair<string, PeerTransport>(ufrag, transport));

    void IPeerDirectory.UnbindAll(PeerTransport transport)
    {
        CloseTcpConnections(transport);
        foreach (KeyValuePair<SocketAddress, PeerTransport> pair in _byAddress)
        {
            if (pair.Value == transport)
            {
                _byAddress.TryRemove(pair);
            }
        }
    }

    private async Task HousekeepingAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                foreach (Room room in Rooms.Rooms)
                {
                    foreach (Participant participant in room.Participants)
                    {
                        if (participant.Transport.ClosedByPeer is string why)
                        {
                            Remove(participant, $"The media connection was closed: {why}");
                            continue;
                        }

                        if (participant.Transport.Ingress is { IsBreached: true })
                        {
                            Remove(participant, IngressBreachReason);
                            continue;
                        }

                        if (participant.Transport.IsConsentExpired)
                        {
                            Remove(participant, $"The media connection timed out: no ICE consent for {_options.ConsentTimeoutSeconds} s.");
                            continue;
                        }

                        participant.OnReportTick();
                        participant.OnLayerTick();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string IngressBreachReason
        => $"Too much media: more than {_options.Limits.IngressPacketsPerSecond:N0} packets or {_options.Limits.IngressBitsPerSecond:N0} bits a second "
            + $"for {_options.Limits.IngressBreachSeconds} s (Sfu:Limits:IngressPacketsPerSecond, IngressBitsPerSecond).";

    private static string NewParticipantId()
    {
        Span<byte> bytes = stackalloc byte[9];
        RandomNumberGenerator.Fill(bytes);
        return "p" + Convert.ToHexStringLower(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _housekeeping.ConfigureAwait(false);
        foreach (Room room in Rooms.Rooms)
        {
            foreach (Participant participant in room.Participants)
            {
                Leave(participant);
            }
        }

        if (_tcp is not null)
        {
            await _tcp.DisposeAsync().ConfigureAwait(false);
        }

        // Before the port: a helper sends its last batch through it.
        FanOut.Dispose();
        if (_port is not null)
        {
            await _port.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _handshakes.Dispose();
        Metrics.Dispose();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Media port bound on {EndPoint}, announced as {Announced}")]
    private static partial void LogStarted(ILogger logger, IPEndPoint endPoint, string announced);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Participant {Id} left room {Room}")]
    private static partial void LogLeft(ILogger logger, string id, string room);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Participant {Id} removed: {Reason}")]
    private static partial void LogRemoved(ILogger logger, string id, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Telling participant {Id} of its removal failed")]
    private static partial void LogNotifyFailed(ILogger logger, string id, Exception exception);
}
