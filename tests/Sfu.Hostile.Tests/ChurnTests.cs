using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// Join/leave churn aimed at other people: the chat of a room someone sits in, and every lobby
/// page. What they receive stays bounded by the configured rates, however fast the churn, and
/// still adds up: every join and leave is either named or counted in a summary line, and the
/// lobby ends with the true list.
/// </summary>
public sealed partial class ChurnTests
{
    private const int NoticesPerWindow = 10;
    private const int WindowSeconds = 2;
    private const int NoticeBurst = 6;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 90_000)]
    public async Task Churn_into_a_room_reaches_its_chat_as_a_few_named_notices_a_window_and_summaries_that_count_the_rest()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            "--Sfu:Limits:JoinsPerConnectionPerMinute=6000",
            $"--Sfu:Limits:RoomNoticesPerWindow={NoticesPerWindow}",
            $"--Sfu:Limits:RoomNoticeWindowSeconds={WindowSeconds}",
            $"--Sfu:Limits:NoticeBurst={NoticeBurst}");
        await using MeetingClient victim = await MeetingClient.ConnectAsync(server);
        await victim.JoinAsync("victim", "Vic");

        var clock = Stopwatch.StartNew();
        int rounds = await Churn.RunAsync(server, "victim", connections: 8, TimeSpan.FromSeconds(4));
        double churnSeconds = clock.Elapsed.TotalSeconds;

        // Every join and every leave is accounted for once the last window's summary is out.
        await Poll.UntilAsync(() => Named(victim).Count + Summarized(victim) == 2 * rounds, $"{2 * rounds} notices named or counted", seconds: 10 + WindowSeconds);
        double seconds = clock.Elapsed.TotalSeconds;
        List<string> named = Named(victim);
        int windows = (int)Math.Ceiling(seconds / WindowSeconds) + 1;
        Assert.True(rounds > 100, $"the churn ran only {rounds} rounds");
        Assert.InRange(named.Count, 1, NoticesPerWindow * windows);
        Assert.InRange(Summaries(victim).Count(), 1, windows);
        foreach (IGrouping<string, string> byChurner in named.GroupBy(n => ChurnerOf().Match(n).Value))
        {
            // One identity (here: one connection) is named at most its burst plus its rate.
            Assert.True(byChurner.Count() <= NoticeBurst + (int)Math.Ceiling(churnSeconds * 6 / 60), $"{byChurner.Key} named {byChurner.Count()} times");
        }

        // A newcomer's history holds the same few lines, not the churn.
        await using MeetingClient newcomer = await MeetingClient.ConnectAsync(server);
        await newcomer.JoinAsync("victim", "Newcomer");
        JsonElement snapshot = await newcomer.Connection.InvokeAsync<JsonElement>("MeetingState", Cancel);
        JsonElement[] history = [.. snapshot.GetProperty("chat").EnumerateArray()];
        Assert.True(history.Count(m => ChurnerOf().IsMatch(m.GetProperty("text").GetString()!)) <= named.Count);
        Assert.Contains(history, m => m.GetProperty("text").GetString()!.StartsWith("…and ", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task Churn_costs_each_lobby_watcher_a_bounded_number_of_lists_and_the_last_one_is_true()
    {
        const int Rooms = 300;
        const int Watchers = 20;
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Limits:MaxRooms=400", "--Sfu:Limits:JoinsPerConnectionPerMinute=6000", "--Sfu:Limits:LobbyUpdatesPerSecond=2");
        var residents = new List<MeetingClient>();
        for (int batch = 0; batch < Rooms; batch += 50)
        {
            MeetingClient[] joined = await Task.WhenAll(Enumerable.Range(batch, 50).Select(async i =>
            {
                MeetingClient resident = await MeetingClient.ConnectAsync(server);
                await resident.Connection.InvokeAsync<JsonElement>("Join", $"room-{i:D3}", "Resident", Cancel);
                return resident;
            }));
            residents.AddRange(joined);
        }

        MeetingClient[] watchers = await Task.WhenAll(Enumerable.Range(0, Watchers).Select(_ => MeetingClient.ConnectAsync(server)));
        try
        {
            JsonElement[] initial = await Task.WhenAll(watchers.Select(w => w.Connection.InvokeAsync<JsonElement>("WatchRooms", Cancel)));
            Assert.All(initial, list => Assert.Equal(Rooms, list.GetArrayLength()));
            int fullListBytes = initial[0].GetRawText().Length;

            var clock = Stopwatch.StartNew();
            int rounds = await Churn.RunAsync(server, "churn-room", connections: 10, TimeSpan.FromSeconds(4));
            string expected = string.Join(",", Enumerable.Range(0, Rooms).Select(i => $"room-{i:D3}:1"));
            await Poll.UntilAsync(() => watchers.All(w => w.LatestRooms == expected), "every watcher's last list to be the true one");
            double seconds = clock.Elapsed.TotalSeconds;

            int mostLists = (int)Math.Ceiling(seconds * 2) + 2;
            foreach (MeetingClient watcher in watchers)
            {
                JsonElement[] pushed = [.. watcher.RoomLists];
                long bytes = pushed.Sum(l => (long)l.GetRawText().Length);
                Assert.InRange(pushed.Length, 1, mostLists);
                Assert.True(bytes <= (long)mostLists * (fullListBytes + 200), $"{bytes} bytes in {pushed.Length} lists");
            }

            // Without the bound each of the 2 × rounds changes was a list to every watcher.
            Assert.True(2 * rounds > 5 * mostLists, $"only {rounds} rounds of churn: not enough to show the bound");
        }
        finally
        {
            foreach (MeetingClient client in residents.Concat(watchers))
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>The named join and leave notices of churners the client received.</summary>
    private static List<string> Named(MeetingClient client)
        => [.. client.Chat.Where(m => MeetingClient.Kind(m) == "notice" && !string.IsNullOrEmpty(m.GetProperty("fromId").GetString()))
            .Select(m => m.GetProperty("text").GetString()!)
            .Where(t => ChurnerOf().IsMatch(t))];

    private static IEnumerable<string> Summaries(MeetingClient client)
        => client.Chat.Where(m => MeetingClient.Kind(m) == "notice" && string.IsNullOrEmpty(m.GetProperty("fromId").GetString()))
            .Select(m => m.GetProperty("text").GetString()!);

    /// <summary>The joins and leaves the summary lines counted ("…and 12 others joined, 9 left").</summary>
    private static int Summarized(MeetingClient client)
        => Summaries(client).Sum(s => Counts().Matches(s).Sum(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex(@"^churner\d+")]
    private static partial Regex ChurnerOf();

    [GeneratedRegex(@"(\d+) (?:others? )?(?:joined|left)")]
    private static partial Regex Counts();
}
