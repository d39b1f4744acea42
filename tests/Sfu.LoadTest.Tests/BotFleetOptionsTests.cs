namespace Sfu.LoadTest.Tests;

/// <summary>
/// What the load tool gives every bot, as README says: a socket connected like the relays'
/// receivers, one shared encoding of the tone, no audio decoding; and a counting subscriber its
/// reader and slow control loop.
/// </summary>
public sealed class BotFleetOptionsTests
{
    [Fact]
    public void Every_bot_connects_its_socket_replays_its_tone_and_decodes_nothing()
    {
        LoadOptions options = LoadOptions.Parse(["rooms", "--rooms", "1", "--room-size", "2"]);
        foreach (BotPlan plan in ScenarioPlan.Create(options))
        {
            Sfu.Bots.SfuBotOptions bot = BotFleet.Options(plan, options, counting: null);
            Assert.True(bot.ConnectSocket);
            Assert.True(bot.ReplayAudio);
            Assert.False(bot.DecodeAudio);
            Assert.Null(bot.SocketReader);
        }
    }

    [Fact]
    public void A_counting_subscriber_reads_through_the_shared_reader_with_the_slow_control_loop()
    {
        LoadOptions options = LoadOptions.Parse(["fanout", "--subscribers", "2", "--subscriber-mode", "count", "--full-subscribers", "0"]);
        BotPlan listener = ScenarioPlan.Create(options).First(p => p.CountOnly);
        using var reader = new BatchedSocketReader();
        var counting = new CountingSubscriber(reader);

        Sfu.Bots.SfuBotOptions bot = BotFleet.Options(listener, options, counting);

        Assert.Same(counting, bot.SocketReader);
        Assert.Equal(CountingSubscriber.ControlInterval, bot.ControlInterval);
        Assert.True(bot.ConnectSocket);
    }
}
