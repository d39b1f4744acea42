using Sfu.Bots;

namespace Sfu.LoadTest;

/// <summary>A server under load whose participants are bots: connecting them, sampling them, letting them go.</summary>
internal abstract class FleetTarget(LoadOptions options) : ILoadTarget
{
    private readonly BotFleet _fleet = new(options.Layer);
    private BatchedSocketReader? _reader;

    public abstract int ServerProcessId { get; }

    public virtual IReadOnlyList<int> ServerProcessIds => [ServerProcessId];

    public virtual Task<long?> ReadRelayedPacketsAsync(CancellationToken cancellationToken) => Task.FromResult<long?>(null);

    protected LoadOptions Options { get; } = options;

    public abstract Task StartAsync(Action<string> status, CancellationToken cancellationToken);

    public int ConnectRetries { get; private set; }

    public ReceiveSample Sample(bool withLatency) => _fleet.Sample(withLatency);

    public string? ReceivedLayers => Options.Simulcast ? _fleet.DescribeLayers() : null;

    public void ClearLatency() => _fleet.ClearLatency();

    public int SubscribersOverTcp => _fleet.ListenersOverTcp();

    public async Task<DownlinkWatch?> LimitDownlinksAsync(long limit, TimeSpan? liftAfter, CancellationToken cancellationToken)
        => DownlinkEstimates is { } estimates ? await DownlinkWatch.StartAsync(_fleet.FullListeners(), limit, liftAfter, estimates, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>Reads the server's downlink estimate and allocation of each participant (by participant id); null where the server cannot tell.</summary>
    protected virtual Func<CancellationToken, Task<IReadOnlyDictionary<string, DownlinkReading>>>? DownlinkEstimates => null;

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync().ConfigureAwait(false);
        _reader?.Dispose();
        await DisposeServerAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Connects the scenario's bots (publishers first) and waits until each receives all it should.</summary>
    protected async Task ConnectFleetAsync(Func<BotPlan, SfuBotOptions, CancellationToken, Task<SfuBot>> connect, Action<SfuBot, BotPlan>? connected, Action<string> status, CancellationToken cancellationToken)
    {
        IReadOnlyList<BotPlan> plan = Plan();
        if (plan.Any(p => p.CountOnly))
        {
            _reader = new BatchedSocketReader();
        }

        ConnectRetries = await BotConnector.ConnectAllAsync(
            plan,
            Options.ConnectParallelism,
            async (p, ct) =>
            {
                CountingSubscriber? counting = p.CountOnly ? new CountingSubscriber(_reader!) : null;
                return (Bot: await connect(p, BotFleet.Options(p, Options, counting), ct).ConfigureAwait(false), Counting: counting);
            },
            (member, p) =>
            {
                connected?.Invoke(member.Bot, p);
                _fleet.Add(member.Bot, p, member.Counting);
            },
            status,
            cancellationToken).ConfigureAwait(false);
        await BotConnector.WaitForMediaAsync(_fleet.NotYetReceiving, _fleet.DescribeNotYetReceiving, plan.Count, status, cancellationToken).ConfigureAwait(false);
        if (Options.Simulcast)
        {
            // Measure only once every subscriber that can tell receives the layer it asked for.
            await _fleet.AskForLayersAsync(cancellationToken).ConfigureAwait(false);
            await BotConnector.WaitForMediaAsync(_fleet.NotYetOnTheirLayer, _fleet.DescribeLayers, plan.Count, status, cancellationToken, "switch to the layer they asked for").ConfigureAwait(false);
        }
    }

    /// <summary>The bots to connect, publishers first: the scenario's participants, unless the server needs them split.</summary>
    protected virtual IReadOnlyList<BotPlan> Plan() => ScenarioPlan.Create(Options);

    protected abstract ValueTask DisposeServerAsync();
}
