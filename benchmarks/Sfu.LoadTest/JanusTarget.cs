using System.Globalization;
using Sfu.Bots;
using Sfu.Bots.Janus;

namespace Sfu.LoadTest;

/// <summary>
/// Janus VideoRoom under the fanout scenario, driven by the same bots over Janus's HTTP API.
/// benchmarks/compare.sh starts Janus (its ICE bound to the benchmark address inside a private
/// network namespace) and passes its API URL and process id.
/// </summary>
internal sealed class JanusTarget(LoadOptions options) : FleetTarget(options)
{
    private JanusVideoRoom? _room;
    private long _feed;

    public override int ServerProcessId => Options.ServerPid!.Value;

    public override async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        status("creating the Janus room");
        JanusVideoRoom room = _room = await JanusVideoRoom.CreateAsync(Options.Server!, publishers: 4, cancellationToken).ConfigureAwait(false);

        // Publishers connect first (BotConnector), so the feed id is known before any subscriber joins.
        await ConnectFleetAsync(
            (plan, bot, ct) => IsPublisher(plan)
                ? SfuBot.PublishToJanusAsync(room, bot, ct)
                : SfuBot.SubscribeToJanusAsync(room, Interlocked.Read(ref _feed), bot, ct),
            (bot, plan) =>
            {
                if (IsPublisher(plan))
                {
                    Interlocked.Exchange(ref _feed, long.Parse(bot.ParticipantId, CultureInfo.InvariantCulture));
                }
            },
            status,
            cancellationToken).ConfigureAwait(false);
    }

    protected override async ValueTask DisposeServerAsync()
    {
        if (_room is not null)
        {
            await _room.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool IsPublisher(BotPlan plan) => plan.PublishAudio || plan.PublishVideo;
}
