using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Core.Diagnostics;
using Sfu.Core.Dtls;
using Sfu.Core.Feedback;
using Sfu.Core.Ice;
using Sfu.Core.Negotiation;
using Sfu.Core.Net;
using Sfu.Core.Srtp;

namespace Sfu.Bots;

/// <summary>
/// A synthetic WebRTC participant: joins a room over the SFU's SignalR hub, connects one UDP
/// socket on 127.0.0.1 through ICE (full agent, controlling), DTLS-SRTP, publishes an Opus
/// tone and a synthetic VP8 stream, and measures everything it receives.
/// </summary>
/// <remarks>
/// Threads: one receive thread (the socket, or an <see cref="IBotSocketReader"/> shared with
/// other bots), one control loop (ICE timers, media pacing,
/// RTCP), and the SignalR client's callbacks, which only queue offers for a negotiation loop
/// so offer/answer exchanges never interleave.
/// </remarks>
public sealed partial class SfuBot : IAsyncDisposable
{
    private const string HubPath = "/hubs/sfu";

    private readonly SfuBotOptions _options;
    private readonly HubConnection? _hub;
    private readonly IBotSocket _socket;
    private readonly IceAgent _ice;
    private readonly IceCredentials _localIce = IceCredentials.Generate();
    private readonly DtlsCertificate _certificate = DtlsCertificate.Generate();
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    private readonly Channel<string> _offers = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ConcurrentDictionary<uint, RemoteTrack> _tracks = new();
    private readonly ulong _sessionId = RandomUInt64() >> 2;
    private ulong _sessionVersion = 1;
    private SendStream? _audioStream;
    private SendStream? _videoStream;
    private readonly VideoEncoding[] _videoEncodings;
    private DtlsSetup _localSetup = DtlsSetup.Active;
    private DtlsTransport? _dtls;
    private Task? _controlLoop;
    private Task? _negotiationLoop;
    private volatile string? _removedReason;
    private long _negotiationErrors;

    private SfuBot(SfuBotOptions options, Uri? server, bool iceControlling = true)
    {
        _options = options;
        _socket = options.Transport == TransportProtocol.Tcp ? new BotTcpSocket(options.BindAddress) : new BotSocket(options.BindAddress);
        _ice = new IceAgent(_localIce, _socket, TimeProvider.System, options.ConsentIntervalMin, options.ConsentIntervalMax, iceControlling, options.BindAddress);
        AudioSsrc = RandomSsrc();
        VideoSsrc = RandomSsrc();
        _videoEncodings = CreateVideoEncodings(options, VideoSsrc);
        if (options.SendTransportFeedback)
        {
            // RFC 3550 §6.4.2: feedback comes from one of our SSRCs; the audio one is always allocated.
            _transportFeedback = new TransportCcReceiver(new FeedbackSender(this), AudioSsrc, new MediaCounters(), TimeProvider.System);
        }

        InitializeMedia();
        if (server is null)
        {
            // Signaled by someone else (Janus's HTTP API): no SFU hub.
            return;
        }

        _hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server, HubPath), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            })
            .Build();
        _hub.On<string, string>("Offer", (sdp, _) => _offers.Writer.TryWrite(sdp));
        _hub.On<string>("Removed", reason => _removedReason = reason);
        _hub.On<JsonElement>("ParticipantJoined", _ => { });
        _hub.On<string>("ParticipantLeft", _ => { });
        _hub.On<JsonElement>("TrackAdded", _ => { });
        _hub.On<JsonElement>("TrackRemoved", _ => { });
        _hub.On<string, string[]>("LayersChanged", OnLayersChanged);
    }

    /// <summary>The participant id the SFU assigned on Join.</summary>
    public string ParticipantId { get; private set; } = string.Empty;

    /// <summary>The bot's one UDP socket (on 127.0.0.1 unless <see cref="SfuBotOptions.BindAddress"/> says otherwise).</summary>
    public IPEndPoint LocalEndPoint => _socket.LocalEndPoint;

    /// <summary>Datagrams that reached the bot as ICE-TCP frames (0 for a bot on UDP).</summary>
    public long TcpFramesReceived => (_socket as BotTcpSocket)?.FramesReceived ?? 0;

    public uint AudioSsrc { get; }

    /// <summary>The video SSRC; with simulcast, the top layer's (f).</summary>
    public uint VideoSsrc { get; }

    /// <summary>What went out on each video encoding: one, or with simulcast q, h and f, lowest first.</summary>
    public IReadOnlyList<VideoLayerStats> GetVideoLayerStats() => [.. _videoEncodings.Select(e => e.GetStats())];

    /// <summary>The SRTP profile DTLS negotiated.</summary>
    public SrtpProfile SrtpProfile { get; private set; }

    /// <summary>The reason the SFU gave when it removed this participant, if it did.</summary>
    public string? RemovedReason => _removedReason;

    /// <summary>False once consent expired (RFC 7675): the bot then stops sending media.</summary>
    public bool HasConsent => !_ice.ConsentExpired;

    /// <summary>Consent checks the SFU answered after nomination.</summary>
    public long ConsentResponses => _ice.ConsentResponses;

    /// <summary>Offers from the SFU that could not be answered.</summary>
    public long NegotiationErrors => Interlocked.Read(ref _negotiationErrors);

    /// <summary>Tracks the SFU forwards to this bot, as announced in its offers.</summary>
    public IReadOnlyList<RemoteTrack> RemoteTracks => [.. _tracks.Values];

    /// <summary>
    /// Connects a bot: SignalR Join, offer/answer, ICE, DTLS and SRTP; media starts flowing
    /// before this returns. Only loopback servers are accepted.
    /// </summary>
    public static async Task<SfuBot> ConnectAsync(Uri server, SfuBotOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(options);
        if (!server.IsLoopback)
        {
            throw new ArgumentException("Bots only talk to a loopback server.", nameof(server));
        }

        var bot = new SfuBot(options, server);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.ConnectTimeout);
            await bot.StartAsync(timeout.Token).ConfigureAwait(false);
            return bot;
        }
        catch
        {
            await bot.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Waits until every condition holds, polling every 20 ms; false on timeout.</summary>
    public async Task<bool> WaitUntilAsync(Func<SfuBot, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (!condition(this))
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_lifetime.IsCancellationRequested)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        _offers.Writer.TryComplete();
        foreach (Task? loop in new[] { _controlLoop, _negotiationLoop })
        {
            if (loop is not null)
            {
                await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        try
        {
            if (_hub is not null)
            {
                await _hub.DisposeAsync().ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // Leaving is best effort; the SFU also notices the closed connection.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _dtls?.Dispose();
        _socket.Dispose();
        DisposeMedia();
        _negotiation.Dispose();
        _lifetime.Dispose();
    }

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        HubConnection hub = _hub ?? throw new InvalidOperationException("This bot has no SFU hub.");
        await hub.StartAsync(cancellationToken).ConfigureAwait(false);
        JsonElement join = await hub.InvokeAsync<JsonElement>("Join", _options.Room, _options.Name, cancellationToken).ConfigureAwait(false);
        ParticipantId = join.TryGetProperty("participantId", out JsonElement id) ? id.GetString() ?? string.Empty : string.Empty;

        StartSocketAndStreams();

        RemoteTransport remote;
        await _negotiation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // We offer actpass (RFC 8842 §5.2) and take whichever role the answer leaves us.
            string offer = BotSdp.BuildOffer(LocalTransport(DtlsSetup.ActPass), _audioStream, _videoStream, SimulcastEncodings, _sessionId, _options.SendTransportFeedback);
            string answerSdp = await hub.InvokeAsync<string>("Offer", offer, cancellationToken).ConfigureAwait(false);
            remote = AcceptAnswer(answerSdp, "SFU");
        }
        finally
        {
            _negotiation.Release();
        }

        _negotiationLoop = Task.Run(() => NegotiationLoopAsync(_lifetime.Token), CancellationToken.None);
        await ConnectTransportAsync(remote, cancellationToken).ConfigureAwait(false);
    }

    private void StartSocketAndStreams()
    {
        _socket.Start(OnDatagram, "bot-rx " + _options.Name, _options.SocketReader);
        string cname = "bot-" + ParticipantId;
        string streamId = "bot-" + RandomNumberGenerator.GetHexString(8, lowercase: true);
        _audioStream = _options.PublishAudio ? new SendStream(AudioSsrc, null, cname, streamId, "audio-" + streamId) : null;
        _videoStream = _options.PublishVideo ? new SendStream(VideoSsrc, null, cname, streamId, "video-" + streamId) : null;
    }

    /// <summary>Reads the answer to our offer: the peer's transport, our DTLS role, the abs-send-time id.</summary>
    private RemoteTransport AcceptAnswer(string answerSdp, string peer)
    {
        SdpParseResult parsed = SdpParser.Parse(answerSdp);
        if (!parsed.Success)
        {
            throw new InvalidOperationException($"The {peer}'s answer does not parse: " + parsed.Error);
        }

        RemoteTransport remote = BotSdp.ReadTransport(parsed.Description, _options.Transport, out string? error)
            ?? throw new InvalidOperationException($"The {peer}'s answer has no usable transport: " + error);

        // RFC 5763 §5: the answerer's active makes it the DTLS client, passive makes us the client.
        _localSetup = remote.Setup == DtlsSetup.Active ? DtlsSetup.Passive : DtlsSetup.Active;
        AudioAbsSendTimeId = BotSdp.NegotiatedAbsSendTimeId(parsed.Description);
        (_videoMidId, _videoRidId) = BotSdp.NegotiatedStreamIdIds(parsed.Description);
        return remote;
    }

    /// <summary>ICE, then DTLS, then SRTP: media flows when this returns.</summary>
    private async Task ConnectTransportAsync(RemoteTransport remote, CancellationToken cancellationToken)
    {
        if (_socket is BotTcpSocket tcp)
        {
            // RFC 6544 §5.1: our active candidate connects to the peer's passive one; the checks follow on that connection.
            await tcp.ConnectAsync(remote.Candidates.MaxBy(c => c.Priority).EndPoint, cancellationToken).ConfigureAwait(false);
        }

        _ice.Start(remote.Ice, remote.Candidates);
        _controlLoop = Task.Run(() => ControlLoopAsync(_lifetime.Token), CancellationToken.None);

        SocketAddress selected = await _ice.Connected.WaitAsync(cancellationToken).ConfigureAwait(false);
        _remoteAddress = selected;
        if (_options.ConnectSocket)
        {
            _socket.ConnectTo(selected);
        }

        DtlsRole role = _localSetup == DtlsSetup.Active ? DtlsRole.Client : DtlsRole.Server;
        _dtls = new DtlsTransport(_certificate, role, remote.Fingerprint.Algorithm, remote.Fingerprint.Value, new DtlsSender(this));
        DtlsHandshakeResult result = await _dtls.HandshakeAsync(cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("DTLS handshake failed: " + result.ErrorMessage);
        }

        SrtpProfile = result.Profile;
        if (_options.KeysDelay > TimeSpan.Zero)
        {
            await Task.Delay(_options.KeysDelay, cancellationToken).ConfigureAwait(false);
        }

        StartMedia(
            SrtpContext.Create(result.Profile, result.LocalMasterKey.Span, result.LocalMasterSalt.Span),
            SrtpContext.Create(result.Profile, result.RemoteMasterKey.Span, result.RemoteMasterSalt.Span));
    }

    private async Task NegotiationLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (string sdp in _offers.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await _negotiation.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await AnswerOfferAsync(sdp, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _negotiation.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AnswerOfferAsync(string sdp, CancellationToken cancellationToken)
    {
        string? answer = BuildAnswer(sdp, out _);
        if (answer is null)
        {
            Interlocked.Increment(ref _negotiationErrors);
            return;
        }

        try
        {
            await _hub!.InvokeAsync("Answer", answer, cancellationToken).ConfigureAwait(false);
        }
        catch (HubException)
        {
            Interlocked.Increment(ref _negotiationErrors);
        }
    }

    /// <summary>Answers an offer with our current transport and streams, learning the tracks it announces; null when unusable.</summary>
    private string? BuildAnswer(string sdp, out SessionDescription? offer)
    {
        SdpParseResult parsed = SdpParser.Parse(sdp);
        offer = parsed.Success ? parsed.Description : null;
        if (!parsed.Success)
        {
            return null;
        }

        var senders = new Dictionary<string, SendStream>(StringComparer.Ordinal);
        if (_audioStream is not null)
        {
            senders[BotSdp.AudioMid] = _audioStream;
        }

        if (_videoStream is not null)
        {
            senders[BotSdp.VideoMid] = _videoStream;
        }

        string? answer = BotSdp.BuildAnswer(parsed.Description, LocalTransport(_localSetup), senders, SimulcastEncodings, _sessionId, ++_sessionVersion, out _);
        if (answer is null)
        {
            return null;
        }

        _transportCcId = BotSdp.ReadTransportCcId(parsed.Description);

        // Learn the SSRCs before answering: media for them may follow right after the answer.
        foreach (AnnouncedTrack track in BotSdp.ReadSentTracks(parsed.Description))
        {
            _tracks.GetOrAdd(
                track.Ssrc,
                _ => new RemoteTrack(track.Kind, track.Ssrc, track.Mid, track.StreamId, track.TrackId, track.ClockRate, track.AbsSendTimeId, _options.DecodeAudio));
        }

        return answer;
    }

    private LocalTransport LocalTransport(DtlsSetup setup) => new(
        _localIce.Ufrag,
        _localIce.Password,
        _certificate.FingerprintAlgorithm,
        _certificate.Fingerprint,
        setup,
        _socket.LocalEndPoint.Address.ToString(),
        _socket.LocalEndPoint.Port);

    private static uint RandomSsrc()
    {
        uint ssrc;
        do
        {
            ssrc = (uint)RandomUInt64();
        }
        while (ssrc == 0);
        return ssrc;
    }

    private static ulong RandomUInt64()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    private sealed class DtlsSender(SfuBot owner) : IDtlsDatagramSender
    {
        public void Send(ReadOnlySpan<byte> datagram)
        {
            if (owner._remoteAddress is SocketAddress remote)
            {
                owner._socket.Send(datagram, remote);
            }
        }
    }
}
