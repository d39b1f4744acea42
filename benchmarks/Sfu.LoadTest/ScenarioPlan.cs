namespace Sfu.LoadTest;

/// <summary>Turns a scenario's options into the list of participants, publishers first.</summary>
internal static class ScenarioPlan
{
    public static IReadOnlyList<BotPlan> Create(LoadOptions options)
    {
        var plan = new List<BotPlan>();
        switch (options.Scenario)
        {
            case ScenarioKind.Fanout:
                plan.Add(new BotPlan("fanout", "publisher", true, true, 0));
                for (int i = 0; i < options.Subscribers; i++)
                {
                    plan.Add(new BotPlan("fanout", $"subscriber-{i}", false, false, 2, Counted(options, i)));
                }

                break;
            case ScenarioKind.Rooms:
                for (int room = 0; room < options.Rooms; room++)
                {
                    for (int i = 0; i < options.RoomSize; i++)
                    {
                        plan.Add(new BotPlan($"room-{room}", $"member-{room}-{i}", true, true, 2 * (options.RoomSize - 1)));
                    }
                }

                break;
            case ScenarioKind.Audio:
                for (int i = 0; i < options.Speakers; i++)
                {
                    plan.Add(new BotPlan("audio", $"speaker-{i}", true, false, options.Speakers - 1));
                }

                for (int i = options.Speakers; i < options.Participants; i++)
                {
                    plan.Add(new BotPlan("audio", $"listener-{i}", false, false, options.Speakers, Counted(options, i - options.Speakers)));
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Scenario, "unknown scenario");
        }

        return plan;
    }

    /// <summary>A short human description, e.g. "1 → 50", "1 → 500 counted", "1 → 50 over tcp", "1 → 200 on 2 nodes" or "10 rooms × 4".</summary>
    public static string Describe(LoadOptions options) => (options.Scenario switch
    {
        ScenarioKind.Fanout => $"1 → {options.Subscribers}",
        ScenarioKind.Rooms => $"{options.Rooms} rooms × {options.RoomSize}",
        _ => $"{options.Speakers} speakers → {options.Participants} in one audio room",
    }) + (options.SubscriberMode == SubscriberMode.Count && options.Scenario != ScenarioKind.Rooms ? " counted" : string.Empty)
        + (options.Simulcast ? " simulcast" : string.Empty)
        + (options.Simulcast && options.Layer != LayerChoice.Mixed ? " " + options.Layer.ToString().ToLowerInvariant() : string.Empty)
        + (options.DownlinkLimit > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" downlink {options.DownlinkLimit / 1000} kbit/s") : string.Empty)
        + (options.Transport == Sfu.Core.Net.TransportProtocol.Tcp ? " over tcp" : string.Empty)
        + (options.Nodes > 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" on {options.Nodes} nodes") : string.Empty);

    /// <summary>Count mode: the first <see cref="LoadOptions.FullSubscribers"/> listeners stay full bots, the rest count.</summary>
    public static bool Counted(LoadOptions options, int listener)
        => options.SubscriberMode == SubscriberMode.Count && listener >= options.FullSubscribers;
}
