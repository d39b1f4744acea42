using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>The connected bots of a run, whatever server they talk to, and what they received.</summary>
internal sealed class BotFleet : IAsyncDisposable
{
    private readonly List<(SfuBot Bot, BotPlan Plan)> _bots = [];

    public void Add(SfuBot bot, BotPlan plan)
    {
        lock (_bots)
        {
            _bots.Add((bot, plan));
        }
    }

    /// <summary>Bots still missing an expected track or a packet on one.</summary>
    public int NotYetReceiving()
    {
        lock (_bots)
        {
            return _bots.Count(b => !Receiving(b.Bot, b.Plan));
        }
    }

    /// <summary>The first few bots still waiting for media, with what they have, for an error message.</summary>
    public string DescribeNotYetReceiving()
    {
        lock (_bots)
        {
            return string.Join("; ", _bots
                .Where(b => !Receiving(b.Bot, b.Plan))
                .Take(3)
                .Select(b => $"{b.Plan.Name} in {b.Plan.Room}: {b.Bot.RemoteTracks.Count}/{b.Plan.ExpectedTracks} tracks announced, "
                    + $"{b.Bot.RemoteTracks.Count(t => t.GetStats().PacketsReceived > 0)} flowing, {b.Bot.NegotiationErrors} negotiation errors"
                    + (b.Bot.RemovedReason is string reason ? $", removed: {reason}" : string.Empty)));
        }
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

    public void ClearLatency()
    {
        lock (_bots)
        {
            foreach ((SfuBot bot, _) in _bots)
            {
                foreach (RemoteTrack track in bot.RemoteTracks)
                {
                    track.ClearLatency();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach ((SfuBot bot, _) in _bots)
        {
            await bot.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>What every bot of a run is given: its plan, no audio decoding (it costs CPU next to the server).</summary>
    public static SfuBotOptions Options(BotPlan plan, LoadOptions options) => new()
    {
        Room = plan.Room,
        Name = plan.Name,
        PublishAudio = plan.PublishAudio,
        PublishVideo = plan.PublishVideo,
        VideoBitrate = options.EffectiveVideoBitrate,
        DecodeAudio = false,
        BindAddress = System.Net.IPAddress.Parse(options.BindAddress),
        ConnectTimeout = TimeSpan.FromSeconds(30),
    };

    private static bool Receiving(SfuBot bot, BotPlan plan)
    {
        IReadOnlyList<RemoteTrack> tracks = bot.RemoteTracks;
        return tracks.Count >= plan.ExpectedTracks && tracks.All(t => t.GetStats().PacketsReceived > 0);
    }
}
