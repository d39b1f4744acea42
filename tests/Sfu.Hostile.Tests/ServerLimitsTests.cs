using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// What one client can make the server create: participants and rooms on the whole server,
/// and joins on one connection. Each refusal says which limit, is counted by reason in
/// /metrics (which names no room and no person), and frees nothing it should not.
/// </summary>
public sealed class ServerLimitsTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Participants_rooms_and_joins_per_connection_are_bounded_refused_with_the_reason_and_counted()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            "--Sfu:Limits:MaxParticipants=3", "--Sfu:Limits:MaxRooms=2", "--Sfu:Limits:JoinsPerConnectionPerMinute=3");
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        MeetingClient[] clients = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => MeetingClient.ConnectAsync(server)));
        try
        {
            (MeetingClient a, MeetingClient b, MeetingClient c, MeetingClient d) = (clients[0], clients[1], clients[2], clients[3]);
            await a.JoinAsync("zebra-one", "Quintessa");
            await b.JoinAsync("zebra-two", "Bartholomew");

            string thirdRoom = await HubErrors.RefusedAsync(() => c.Connection.InvokeAsync<JsonElement>("Join", "zebra-three", "Cordelia", Cancel));
            await c.JoinAsync("zebra-one", "Cordelia"); // an open room is no new room
            string full = await HubErrors.RefusedAsync(() => d.Connection.InvokeAsync<JsonElement>("Join", "zebra-two", "Dorothea", Cancel));

            // a: joined once; leave and join twice more, then the connection's minute is spent.
            for (int i = 0; i < 2; i++)
            {
                await a.Connection.InvokeAsync("Leave", Cancel);
                await a.Connection.InvokeAsync<JsonElement>("Join", "zebra-one", "Quintessa", Cancel);
            }

            await a.Connection.InvokeAsync("Leave", Cancel);
            string tooMany = await HubErrors.RefusedAsync(() => a.Connection.InvokeAsync<JsonElement>("Join", "zebra-one", "Quintessa", Cancel));

            Assert.Contains("2 rooms open, its limit", thirdRoom, StringComparison.Ordinal);
            Assert.Contains("The server is full: it admits 3 participants", full, StringComparison.Ordinal);
            Assert.Contains("Too many joins: at most 3 a minute on one connection", tooMany, StringComparison.Ordinal);
            Assert.Equal(2, server.Engine.Rooms.Rooms.Sum(r => r.Participants.Length));
            PrometheusScrape scrape = await PrometheusScrape.FetchAsync(http, Cancel);
            Assert.Equal(1, scrape.Sum("sfu_signaling_refused_total", "reason=\"rooms\""));
            Assert.Equal(1, scrape.Sum("sfu_signaling_refused_total", "reason=\"participants\""));
            Assert.Equal(1, scrape.Sum("sfu_signaling_refused_total", "reason=\"join_rate\""));
            foreach (string secret in new[] { "zebra", "Quintessa", "Bartholomew", "Cordelia", "Dorothea" })
            {
                Assert.DoesNotContain(secret, scrape.Text, StringComparison.OrdinalIgnoreCase);
            }
        }
        finally
        {
            foreach (MeetingClient client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
