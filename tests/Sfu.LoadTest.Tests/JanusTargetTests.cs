namespace Sfu.LoadTest.Tests;

/// <summary>
/// The janus target against Debian's Janus (<see cref="JanusServer"/>): the load tool's fanout and
/// rooms runs connect, receive every track they should, and report. The runs share one veth
/// pair of the namespace, so they are in one class and run one after the other.
/// </summary>
public sealed class JanusTargetTests
{
    [Fact]
    public void A_rooms_member_becomes_a_publisher_and_a_listener_of_the_others_publishers_first()
    {
        IReadOnlyList<BotPlan> plan = JanusTarget.Split(ScenarioPlan.Create(LoadOptions.Parse(["rooms", "--rooms", "2", "--room-size", "3"])));

        Assert.Equal(12, plan.Count);
        Assert.All(plan.Take(6), p => Assert.True(p.PublishAudio && p.PublishVideo && p.ExpectedTracks == 0, p.ToString()));
        Assert.All(plan.Skip(6), p => Assert.True(!p.PublishAudio && !p.PublishVideo && p.ExpectedTracks == 4, p.ToString()));

        BotPlan listener = plan.Single(p => p.Name == "member-1-2" + JanusTarget.ListenerSuffix);
        Assert.Equal(["member-1-0", "member-1-1"], JanusTarget.PublishersFor(plan, listener).Select(p => p.Name));
    }

    [Fact]
    public void A_fanout_plan_is_left_as_it_is()
    {
        IReadOnlyList<BotPlan> plan = ScenarioPlan.Create(LoadOptions.Parse(["fanout", "--subscribers", "3"]));

        Assert.Same(plan, JanusTarget.Split(plan));
        Assert.Equal(["publisher"], JanusTarget.PublishersFor(plan, plan[1]).Select(p => p.Name));
    }

    [Fact(Timeout = 120_000)]
    public async Task Janus_runs_the_fanout_and_rooms_and_every_listener_receives_all_it_should()
    {
        using JanusServer janus = await JanusServer.StartAsync(TestContext.Current.CancellationToken);

        // The veth pair it adds must not make the shaping tests of this namespace skip.
        Assert.True(Sfu.Bots.LoopbackShaper.InPrivateNamespace(), File.ReadAllText("/proc/self/net/dev"));
        string[] target = ["--target", "janus", "--server", janus.Api.AbsoluteUri, "--server-pid", janus.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", JanusServer.IceAddress.ToString()];

        LoadResult fanout = await LoadRunner.RunAsync(LoadOptions.Parse(["fanout", "--subscribers", "4", "--duration", "2", "--warmup", "1", .. target]), new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);
        LoadResult rooms = await LoadRunner.RunAsync(LoadOptions.Parse(["rooms", "--rooms", "2", "--room-size", "3", "--duration", "2", "--warmup", "1", .. target]), new ProgressLine(TextWriter.Null, inPlace: false), TestContext.Current.CancellationToken);

        Assert.Equal("1 → 4", fanout.Shape);
        Assert.Equal(8, fanout.ForwardedStreams);
        Assert.Equal(0, fanout.LostPackets);

        // Each of the 6 listeners receives audio and video of its two room mates, all flowing.
        Assert.Equal("2 rooms × 3", rooms.Shape);
        Assert.Equal(24, rooms.ForwardedStreams);
        Assert.Equal(0, rooms.LostPackets);
        foreach (LoadResult result in new[] { fanout, rooms })
        {
            Assert.Equal("janus", result.Target);
            LoadSmokeTests.AssertNumbersProduced(result);
        }
    }
}
