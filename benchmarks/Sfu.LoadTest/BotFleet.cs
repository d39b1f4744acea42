using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>The connected bots of a run, whatever server they talk to, and what they received.</summary>
internal sealed class BotFleet(LayerChoice layer = LayerChoice.Mixed) : IAsyncDisposable
{
    private readonly List<Member> _bots = [];

    public void Add(SfuBot bot, BotPlan plan, CountingSubscriber? counting)
    {
        lock (_bots)
        {
            _bots.Add(new Member(bot, plan, counting));
        }
    }

    /// <summary>Bots still missing an expected track or a packet on one.</summary>
    public int NotYetReceiving()
    {
        lock (_bots)
        {
            return _bots.Count(b => !b.Receiving());
        }
    }

    /// <summary>The first few bots still waiting for media, with what they have, for an error message.</summary>
    public string DescribeNotYetReceiving()
    {
        lock (_bots)
        {
            return string.Join("; ", _bots
                .Where(b => !b.Receiving())
                .Take(3)
                .Select(b => $"{b.Plan.Name} in {b.Plan.Room}: {b.Bot.RemoteTracks.Count}/{b.Plan.ExpectedTracks} tracks announced, "
                    + $"{b.Bot.RemoteTracks.Count(t => b.Received(t).Packets > 0)} flowing, {b.Bot.NegotiationErrors} negotiation errors"
                    + (b.Bot.RemovedReason is string reason ? $", removed: {reason}" : string.Empty)));
        }
    }

    /// <summary>Receive-only bots that received media as ICE-TCP frames: more frames than the ICE and DTLS handshakes take.</summary>
    public int ListenersOverTcp() => Listeners().Count(l => l.Member.Bot.TcpFramesReceived > 100);

    /// <summary>
    /// Simulcast runs: receive-only participants report their video tiles at the size of the
    /// layer they want (with <see cref="LayerChoice.Mixed"/>, participant i the size of layer
    /// i mod 3: small, medium, large), as a browser reports its tile size.
    /// </summary>
    public async Task AskForLayersAsync(CancellationToken cancellationToken)
    {
        foreach ((Member member, (int width, int height)) in Listeners())
        {
            foreach (RemoteTrack track in member.Bot.RemoteTracks.Where(t => t.Kind == Sfu.Core.MediaKind.Video))
            {
                await member.Bot.SetVideoSizeAsync(track, width, height, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Full receive-only bots whose last video key frame is not yet the size they asked for (counting ones cannot tell).</summary>
    public int NotYetOnTheirLayer()
        => Listeners().Count(l => l.Member.Counting is null
            && l.Member.Bot.RemoteTracks.Any(t => t.Kind == Sfu.Core.MediaKind.Video && Size(t) != l.Size));

    /// <summary>How many full receive-only bots receive each video size, from their key frames, e.g. "320×180: 4, 640×360: 3".</summary>
    public string DescribeLayers()
        => string.Join(", ", Listeners()
            .Where(l => l.Member.Counting is null)
            .SelectMany(l => l.Member.Bot.RemoteTracks.Where(t => t.Kind == Sfu.Core.MediaKind.Video).Select(Size))
            .GroupBy(s => s)
            .OrderBy(g => g.Key.Width)
            .Select(g => $"{g.Key.Width}×{g.Key.Height}: {g.Count()}"));

    /// <summary>The full receive-only bots: the ones a downlink limit shapes.</summary>
    public IReadOnlyList<SfuBot> FullListeners()
        => [.. Listeners().Where(l => l.Member.Counting is null).Select(l => l.Member.Bot)];

    /// <summary>Sums what every bot received; <paramref name="withLatency"/> also takes each stream's latency percentiles (a sort per stream).</summary>
    public ReceiveSample Sample(bool withLatency)
    {
        List<StreamCounters> tracks = [];
        long bytes = 0;
        lock (_bots)
        {
            foreach (Member member in _bots)
            {
                bytes += member.Bot.SrtpBytesReceived + (member.Counting?.Counter.Bytes ?? 0);
                foreach (RemoteTrack track in member.Bot.RemoteTracks)
                {
                    if (member.Counting is null && withLatency)
                    {
                        RemoteTrackStats stats = track.GetStats();
                        tracks.Add(new StreamCounters(stats.PacketsReceived, stats.PacketsExpected, stats.LatencyP50Milliseconds, stats.LatencyP99Milliseconds));
                    }
                    else if (member.Counting is null)
                    {
                        (long packets, long expected) = track.GetReceiveCounts();
                        tracks.Add(new StreamCounters(packets, expected, double.NaN, double.NaN));
                    }
                    else
                    {
                        // Counted streams have no latency: the percentiles come from the full bots only.
                        (long packets, long expected) = member.Counting.Counter.Get(track.Ssrc);
                        tracks.Add(new StreamCounters(packets, expected, double.NaN, double.NaN));
                    }
                }
            }
        }

        return ReceiveSample.Sum(tracks, bytes);
    }

    public void ClearLatency()
    {
        lock (_bots)
        {
            foreach (Member member in _bots)
            {
                foreach (RemoteTrack track in member.Bot.RemoteTracks)
                {
                    track.ClearLatency();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (Member member in _bots)
        {
            await member.Bot.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What every bot of a run is given: its plan, no audio decoding and one shared encoding of
    /// its tone (both cost CPU next to the server), and for a counting subscriber the shared
    /// socket reader and a slow control loop.
    /// </summary>
    public static SfuBotOptions Options(BotPlan plan, LoadOptions options, CountingSubscriber? counting) => new()
    {
        Room = plan.Room,
        Name = plan.Name,
        PublishAudio = plan.PublishAudio,
        PublishVideo = plan.PublishVideo,
        VideoBitrate = options.EffectiveVideoBitrate,
        Simulcast = options.Simulcast && plan.PublishVideo,
        DecodeAudio = false,
        ReplayAudio = true,
        BindAddress = System.Net.IPAddress.Parse(options.BindAddress),
        Transport = plan.PublishAudio || plan.PublishVideo ? Sfu.Core.Net.TransportProtocol.Udp : options.Transport,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        SocketReader = counting,

        // As the relays' subscribers are: see SfuBotOptions.ConnectSocket.
        ConnectSocket = true,

        // Only full bots can report arrivals: counting ones never decrypt.
        SendTransportFeedback = options.DownlinkLimit > 0 && counting is null && !plan.PublishAudio && !plan.PublishVideo,
        ControlInterval = counting is null ? new SfuBotOptions().ControlInterval : CountingSubscriber.ControlInterval,
    };

    private static readonly (int Width, int Height)[] LayerSizes = [(320, 180), (640, 360), (1280, 720)];

    private static (int Width, int Height) Size(RemoteTrack track)
    {
        RemoteTrackStats stats = track.GetStats();
        return (stats.FrameWidth, stats.FrameHeight);
    }

    private List<(Member Member, (int Width, int Height) Size)> Listeners()
    {
        lock (_bots)
        {
            return [.. _bots
                .Where(b => !b.Plan.PublishAudio && !b.Plan.PublishVideo)
                .Select((b, i) => (b, LayerSizes[layer == LayerChoice.Mixed ? i % LayerSizes.Length : (int)layer - 1]))];
        }
    }

    private sealed record Member(SfuBot Bot, BotPlan Plan, CountingSubscriber? Counting)
    {
        public (long Packets, long Expected) Received(RemoteTrack track)
        {
            if (Counting is not null)
            {
                return Counting.Counter.Get(track.Ssrc);
            }

            RemoteTrackStats stats = track.GetStats();
            return (stats.PacketsReceived, stats.PacketsExpected);
        }

        public bool Receiving()
        {
            IReadOnlyList<RemoteTrack> tracks = Bot.RemoteTracks;
            return tracks.Count >= Plan.ExpectedTracks && tracks.All(t => Received(t).Packets > 0);
        }
    }
}
