using System.Collections.Concurrent;
using System.Globalization;
using Sfu.Bots;
using Sfu.Bots.Janus;

namespace Sfu.LoadTest;

/// <summary>
/// Janus VideoRoom under the fanout and rooms scenarios, driven by the same bots over Janus's
/// HTTP API. benchmarks/compare.sh starts Janus (its ICE bound to the benchmark address inside a
/// private network namespace) and passes its API URL and process id.
/// </summary>
/// <remarks>
/// A VideoRoom participant publishes on one PeerConnection and subscribes on another, so a rooms
/// member is two bots here: its publisher, and a listener that subscribes to every other
/// member's feed of the room on one PeerConnection (<see cref="Plan"/>). The media each member
/// sends and receives is what it is against SfuRouter, where one PeerConnection does both.
/// </remarks>
internal sealed class JanusTarget(LoadOptions options) : FleetTarget(options)
{
    /// <summary>The listener's name is its member's with this after it.</summary>
    internal const string ListenerSuffix = "/in";

    /// <summary>
    /// Margin for a loaded Janus, whose answers come over its long poll: at 25 rooms × 4 some
    /// listeners waited past the 30 s other targets get. (What most likely held them was our long
    /// poll ending on a body cut short, which the bots' <c>JanusSession</c> now survives.)
    /// Connection time is not what is compared here.
    /// </summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(90);

    private readonly Dictionary<string, JanusVideoRoom> _rooms = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _feeds = new(StringComparer.Ordinal);

    public override int ServerProcessId => Options.ServerPid!.Value;

    public override async Task StartAsync(Action<string> status, CancellationToken cancellationToken)
    {
        IReadOnlyList<BotPlan> plan = Plan();
        foreach (string name in plan.Select(p => p.Room).Distinct(StringComparer.Ordinal))
        {
            status($"creating the Janus room {name}");
            int publishers = plan.Count(p => p.Room == name && IsPublisher(p));
            _rooms[name] = await JanusVideoRoom.CreateAsync(Options.Server!, Math.Max(publishers, 1), cancellationToken).ConfigureAwait(false);
        }

        // Publishers connect first (BotConnector), so every feed id is known before a listener joins.
        await ConnectFleetAsync(
            (p, bot, ct) =>
            {
                bot.ConnectTimeout = ConnectTimeout;
                return IsPublisher(p)
                    ? SfuBot.PublishToJanusAsync(_rooms[p.Room], bot, ct)
                    : SfuBot.SubscribeToJanusAsync(_rooms[p.Room], FeedsFor(p), bot, ct);
            },
            (bot, p) =>
            {
                if (IsPublisher(p))
                {
                    _feeds[p.Name] = long.Parse(bot.ParticipantId, CultureInfo.InvariantCulture);
                }
            },
            status,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The fanout as planned; a rooms member as its publisher (expecting nothing) and its
    /// listener (expecting every track of the others), publishers first.
    /// </summary>
    protected override IReadOnlyList<BotPlan> Plan() => Split(ScenarioPlan.Create(Options));

    internal static IReadOnlyList<BotPlan> Split(IReadOnlyList<BotPlan> plan)
    {
        if (!plan.Any(p => IsPublisher(p) && p.ExpectedTracks > 0))
        {
            return plan;
        }

        var publishers = new List<BotPlan>();
        var listeners = new List<BotPlan>();
        foreach (BotPlan p in plan)
        {
            if (IsPublisher(p) && p.ExpectedTracks > 0)
            {
                publishers.Add(p with { ExpectedTracks = 0 });
                listeners.Add(new BotPlan(p.Room, p.Name + ListenerSuffix, false, false, p.ExpectedTracks, p.CountOnly));
            }
            else
            {
                (IsPublisher(p) ? publishers : listeners).Add(p);
            }
        }

        return [.. publishers, .. listeners];
    }

    /// <summary>The feeds a listener subscribes to: those of <see cref="PublishersFor"/>.</summary>
    private long[] FeedsFor(BotPlan listener)
    {
        long[] feeds = [.. PublishersFor(Plan(), listener).Select(p => _feeds[p.Name])];
        return feeds.Length > 0 ? feeds : throw new InvalidOperationException($"{listener.Name}: no publisher in {listener.Room} to subscribe to.");
    }

    /// <summary>Every publisher of the listener's room but its own member.</summary>
    internal static IEnumerable<BotPlan> PublishersFor(IReadOnlyList<BotPlan> plan, BotPlan listener)
    {
        string? self = listener.Name.EndsWith(ListenerSuffix, StringComparison.Ordinal) ? listener.Name[..^ListenerSuffix.Length] : null;
        return plan.Where(p => p.Room == listener.Room && IsPublisher(p) && p.Name != self);
    }

    protected override async ValueTask DisposeServerAsync()
    {
        foreach (JanusVideoRoom room in _rooms.Values)
        {
            await room.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static bool IsPublisher(BotPlan plan) => plan.PublishAudio || plan.PublishVideo;
}
