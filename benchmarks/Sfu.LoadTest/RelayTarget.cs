using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Sfu.LoadTest;

/// <summary>
/// The raw relay under the fanout or rooms scenario, and the relay process in between. Fanout: one
/// publisher that sends the same packet sizes at the same rate as a publishing bot (Opus-sized
/// audio at 50/s, the video frame split into ≤ 1,200-byte packets) and N plain-socket subscribers
/// (decrypting or counting). Rooms: R rooms of K members, each publishing the same way from the
/// socket it receives on, so the relay forwards it to the other K − 1 of its room.
/// </summary>
internal sealed partial class RelayTarget(LoadOptions options) : ILoadTarget
{
    private const int AudioPacketLength = 100;
    private const int VideoFrameRate = 30;
    private const int MaxPacketLength = 1200;
    private const int HeaderLength = 12;

    private readonly List<RelaySubscriber> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private BatchedSocketReader? _reader;
    private ChildProcess? _relay;
    private Task? _publisher;

    public int ServerProcessId => _relay?.Id ?? 0;

    public int ConnectRetries => 0;

    /// <summary>Every subscriber, full and counting (the tests read their decryption failures).</summary>
    public IReadOnlyList<RelaySubscriber> Subscribers => _subscribers;

    public async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        status("starting the relay");
        (_relay, Match ready) = await ChildProcess.StartDotnetAsync(
            typeof(RelayTarget).Assembly.Location,
            ["relay-server", "--bind", options.BindAddress, "--mode", options.RelayMode.ToString().ToLowerInvariant()],
            ReadyLine(),
            TimeSpan.FromSeconds(30),
            cancellationToken).ConfigureAwait(false);
        var relay = IPEndPoint.Parse(ready.Groups["endpoint"].Value);
        IPAddress bind = IPAddress.Parse(options.BindAddress);
        if (options.Scenario == ScenarioKind.Rooms)
        {
            for (int room = 0; room < options.Rooms; room++)
            {
                for (int i = 0; i < options.RoomSize; i++)
                {
                    _subscribers.Add(new RelaySubscriber(bind, relay, options.RelayMode, room: (ushort)room));
                }
            }
        }
        else
        {
            for (int i = 0; i < options.Subscribers; i++)
            {
                BatchedSocketReader? counting = ScenarioPlan.Counted(options, i) ? _reader ??= new BatchedSocketReader() : null;
                _subscribers.Add(new RelaySubscriber(bind, relay, options.RelayMode, counting));
            }
        }

        // Registration is UDP: repeat it until the relay has echoed every subscriber's hello.
        long deadline = Environment.TickCount64 + 10_000;
        while (_subscribers.Exists(s => !s.Registered))
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException("The relay did not acknowledge every subscriber within 10 s.");
            }

            _subscribers.FindAll(s => !s.Registered).ForEach(s => s.Register());
            status($"registered {_subscribers.Count(s => s.Registered)}/{_subscribers.Count}");
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        _publisher = Task.Run(() => PublishAsync(bind, relay, _stop.Token), CancellationToken.None);
    }

    /// <summary>The SSRCs member <paramref name="member"/> publishes (audio, video); the fanout's one publisher is member 0.</summary>
    public static (uint Audio, uint Video) Ssrcs(int member) => ((uint)(2 * member), (uint)((2 * member) + 1));

    public ReceiveSample Sample(bool withLatency)
    {
        var tracks = new List<StreamCounters>();
        long bytes = 0;
        foreach (RelaySubscriber subscriber in _subscribers)
        {
            subscriber.AddTo(tracks, ref bytes, withLatency);
        }

        return ReceiveSample.Sum(tracks, bytes);
    }

    public void ClearLatency() => _subscribers.ForEach(s => s.ClearLatency());

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_publisher is not null)
        {
            await _publisher.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _subscribers.ForEach(s => s.Dispose());
        _reader?.Dispose();
        _relay?.Dispose();
        _stop.Dispose();
    }

    private async Task PublishAsync(IPAddress bind, IPEndPoint relay, CancellationToken cancellationToken)
    {
        // Fanout: a socket of its own, which never says hello (the relay sends what an unknown
        // address sends to room 0). Rooms: every member, from its own socket.
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { SendBufferSize = 1 << 20 };
        socket.Bind(new IPEndPoint(bind, 0));
        socket.Connect(relay);
        Socket[] senders = options.Scenario == ScenarioKind.Rooms ? [.. _subscribers.Select(s => s.Socket)] : [socket];
        byte[] buffer = new byte[MaxPacketLength];
        int frameLength = options.EffectiveVideoBitrate / VideoFrameRate / 8;
        int packetsPerFrame = (frameLength + MaxPacketLength - HeaderLength - 1) / (MaxPacketLength - HeaderLength);
        ushort audioSequence = 0;
        ushort videoSequence = 0;

        // Every publisher sends the same numbers; only the SSRCs differ.
        void SendToAll(ReadOnlySpan<byte> packet, bool video)
        {
            for (int member = 0; member < senders.Length; member++)
            {
                (uint audio, uint videoSsrc) = Ssrcs(member);
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), video ? videoSsrc : audio);
                senders[member].Send(packet);
            }
        }

        long audioPeriod = Stopwatch.Frequency / 50;
        long videoPeriod = Stopwatch.Frequency / VideoFrameRate;
        long nextAudio = Stopwatch.GetTimestamp();
        long nextVideo = nextAudio;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                long now = Stopwatch.GetTimestamp();
                for (; now >= nextAudio; nextAudio += audioPeriod)
                {
                    SendToAll(buffer.AsSpan(0, RelayPacket.Write(buffer, 0, audioSequence++, AudioPacketLength)), video: false);
                }

                for (; now >= nextVideo; nextVideo += videoPeriod)
                {
                    for (int i = 0; i < packetsPerFrame; i++)
                    {
                        int payload = (frameLength / packetsPerFrame) + (i < frameLength % packetsPerFrame ? 1 : 0);
                        SendToAll(buffer.AsSpan(0, RelayPacket.Write(buffer, 1, videoSequence++, HeaderLength + payload)), video: true);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [GeneratedRegex(RelayServer.ReadyPrefix + @"(?<endpoint>[0-9.]+:\d+)")]
    private static partial Regex ReadyLine();
}
