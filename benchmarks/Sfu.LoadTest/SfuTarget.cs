using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>SfuRouter under load: the server in its own process, every participant an <see cref="SfuBot"/>.</summary>
internal sealed class SfuTarget(LoadOptions options) : ILoadTarget
{
    private readonly List<(SfuBot Bot, BotPlan Plan)> _bots = [];
    private ChildProcess? _server;
    private int _serverPid;

    public int ServerProcessId => _serverPid;

    public async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        Uri url;
        if (options.Server is null)
        {
            status("starting Sfu.Host");
            (_server, url) = await SfuServerProcess.StartAsync(options.HostDll, cancellationToken).ConfigureAwait(false);
            _serverPid = _server.Id;
        }
        else
        {
            url = options.Server;
            _serverPid = options.ServerPid!.Value;
        }

        IReadOnlyList<BotPlan> plan = ScenarioPlan.Create(options);
        await BotConnector.ConnectAllAsync(
            plan,
            options.ConnectParallelism,
            (p, ct) => SfuBot.ConnectAsync(url, BotOptions(p), ct),
            (bot, p) => { lock (_bots) { _bots.Add((bot, p)); } },
            status,
            cancellationToken).ConfigureAwait(false);

        await BotConnector.WaitForMediaAsync(
            () => { lock (_bots) { return _bots.Count(b => !Receiving(b.Bot, b.Plan)); } },
            plan.Count,
            status,
            cancellationToken).ConfigureAwait(false);
    }

    public ReceiveSample Sample()
    {
        List<StreamCounters> tracks = [];
        long bytes = 0;
        lock (_bots)
        {
            foreach ((SfuBot bot, _) in _bots)
            {
                bytes += bot.SrtpBytesReceived;
                foreach (RemoteTrack track in bot.RemoteTracks)
                {
                    RemoteTrackStats stats = track.GetStats();
                    tracks.Add(new StreamCounters(stats.PacketsReceived, stats.PacketsExpected, stats.LatencyP50Milliseconds, stats.LatencyP99Milliseconds));
                }
            }
        }

        return ReceiveSample.Sum(tracks, bytes);
    }

    public async ValueTask DisposeAsync()
    {
        foreach ((SfuBot bot, _) in _bots)
        {
            await bot.DisposeAsync().ConfigureAwait(false);
        }

        _server?.Dispose();
    }

    /// <summary>Every expected track announced and flowing.</summary>
    internal static bool Receiving(SfuBot bot, BotPlan plan)
    {
        IReadOnlyList<RemoteTrack> tracks = bot.RemoteTracks;
        return tracks.Count >= plan.ExpectedTracks && tracks.All(t => t.GetStats().PacketsReceived > 0);
    }

    internal static SfuBotOptions BotOptions(BotPlan plan, int videoBitrate) => new()
    {
        Room = plan.Room,
        Name = plan.Name,
        PublishAudio = plan.PublishAudio,
        PublishVideo = plan.PublishVideo,
        VideoBitrate = videoBitrate,
        DecodeAudio = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
    };

    private SfuBotOptions BotOptions(BotPlan plan) => BotOptions(plan, options.EffectiveVideoBitrate);
}
