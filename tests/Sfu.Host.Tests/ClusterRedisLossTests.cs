using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Cluster;
using StackExchange.Redis;

namespace Sfu.Host.Tests;

/// <summary>
/// A cluster node whose real redis-server (started by the test on a loopback port) is not
/// there at start or is killed while real SignalR clients are in a room: the node serves its
/// room alone and says why in <c>/readyz</c>, then rejoins the cluster when Redis is back.
/// </summary>
public sealed class ClusterRedisLossTests
{
    private const string AdminKey = "cluster-redis-loss-admin-key-0123456789";

    /// <summary>Every hub call is bounded: a call waiting on an absent Redis fails the test instead of hanging it.</summary>
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(5);

    private static string[] Node(int redisPort)
        =>
        [
            $"--Sfu:Cluster:Redis=127.0.0.1:{redisPort},connectTimeout=500",
            "--Sfu:Cluster:HeartbeatSeconds=0.3",
            "--Sfu:Cluster:NodeTtlSeconds=2",
            $"--Sfu:Admin:Key={AdminKey}",
        ];

    [Fact(Timeout = 60_000)]
    public async Task A_node_started_without_Redis_serves_a_room_locally_reports_degraded_and_joins_the_cluster_when_Redis_starts()
    {
        int port = FreePort.Tcp();
        await using SfuTestServer node = await SfuTestServer.StartAsync(Node(port));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await AssertDegradedAsync(http, node);

        // Placement names this node, the only one it knows; the directory cannot be read and says why.
        Placement placement = (await http.GetFromJsonAsync<Placement>(node.BaseUrl + "/api/rooms/alone/node", TestContext.Current.CancellationToken))!;
        Assert.Equal(node.BaseUrl, placement.Url);
        using (HttpResponseMessage nodes = await AdminNodesAsync(http, node))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, nodes.StatusCode);
            Assert.StartsWith("cluster: redis unreachable since ", (await nodes.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // Joins, their notices and chat reach this node's members with no Redis at all.
        await using MeetingClient ada = await MeetingClient.ConnectAsync(node);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(node);
        (string adaId, _) = await JoinAsync(ada, "alone", "Ada");
        JsonElement joined = await Call<JsonElement>(bob, "Join", "alone", "Bob");
        Assert.Equal([adaId], joined.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("id").GetString()));
        await Poll.UntilAsync(() => ada.Joined.Any(p => p.GetProperty("displayName").GetString() == "Bob"), "Ada to hear Bob joined without Redis");
        await Call(bob, "SendChat", "no redis here");
        await Poll.UntilAsync(() => ada.Chat.Any(m => m.GetProperty("text").GetString() == "no redis here"), "Ada to get Bob's line without Redis");

        // Redis starts: the node enters the directory with its room and is ready again.
        await using RedisServer redis = await RedisServer.StartAsync(port);
        await using ConnectionMultiplexer reader = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await Poll.UntilAsync(() => ReadyBody(http, node) == "Healthy", "readiness back to Healthy once Redis is up");
        await Poll.UntilAsync(() => ListedNodes(http, node)?.Contains((node.BaseUrl, 2)) == true, "the admin API to list this node with its 2 participants");
        Assert.Equal(2, await reader.GetDatabase().HashLengthAsync("sfu:room:alone"));
        Assert.True(await reader.GetDatabase().SetContainsAsync("sfu:rooms", "alone"));

        // Broadcasts now go through the backplane, which knows the members that joined without it: once each.
        await Call(ada, "SendChat", "through redis");
        await Poll.UntilAsync(() => bob.Chat.Any(m => m.GetProperty("text").GetString() == "through redis"), "Bob to get Ada's line through the backplane");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(1, bob.Chat.Count(m => m.GetProperty("text").GetString() == "through redis"));
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_whose_Redis_dies_keeps_its_room_and_rejoins_the_cluster_when_Redis_restarts()
    {
        int port = FreePort.Tcp();
        RedisServer redis = await RedisServer.StartAsync(port);
        await using SfuTestServer node = await SfuTestServer.StartAsync(Node(port));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Poll.UntilAsync(() => ListedNodes(http, node)?.Any(n => n.Url == node.BaseUrl) == true, "the node in the directory");
        Assert.Equal("Healthy", ReadyBody(http, node));

        await using MeetingClient ada = await MeetingClient.ConnectAsync(node);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(node);
        (string adaId, _) = await JoinAsync(ada, "kept", "Ada");
        (string bobId, _) = await JoinAsync(bob, "kept", "Bob");

        // Kill the redis-server this test started (its process only).
        await redis.DisposeAsync();
        await Poll.UntilAsync(() => ReadyBody(http, node)?.StartsWith("Degraded", StringComparison.Ordinal) == true, "readiness to degrade once Redis died");
        await AssertDegradedAsync(http, node);

        // The room goes on: chat both ways, and a newcomer is seen by both and sees both.
        await Call(bob, "SendChat", "redis is gone");
        await Poll.UntilAsync(() => ada.Chat.Any(m => m.GetProperty("text").GetString() == "redis is gone"), "Ada to get Bob's line after Redis died");
        await Call(ada, "SendChat", "we are still here");
        await Poll.UntilAsync(() => bob.Chat.Any(m => m.GetProperty("text").GetString() == "we are still here"), "Bob to get Ada's line after Redis died");
        await using MeetingClient cy = await MeetingClient.ConnectAsync(node);
        JsonElement joined = await Call<JsonElement>(cy, "Join", "kept", "Cy");
        Assert.Equal(
            new[] { adaId, bobId }.Order(StringComparer.Ordinal),
            joined.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("id").GetString()!).Order(StringComparer.Ordinal));
        await Poll.UntilAsync(() => ada.Joined.Any(p => p.GetProperty("displayName").GetString() == "Cy"), "Ada to hear Cy joined without Redis");
        await Poll.UntilAsync(() => bob.Joined.Any(p => p.GetProperty("displayName").GetString() == "Cy"), "Bob to hear Cy joined without Redis");

        // Redis restarts empty on the same port: the node writes itself and its room again.
        await using RedisServer restarted = await RedisServer.StartAsync(port);
        await using ConnectionMultiplexer reader = await ConnectionMultiplexer.ConnectAsync(restarted.ConnectionString);
        await Poll.UntilAsync(() => ReadyBody(http, node) == "Healthy", "readiness back to Healthy once Redis restarted");
        await Poll.UntilAsync(() => ListedNodes(http, node)?.Contains((node.BaseUrl, 3)) == true, "the admin API to list the node again with its 3 participants");
        await using MeetingClient lobby = await MeetingClient.ConnectAsync(node);
        JsonElement rooms = await Call<JsonElement>(lobby, "WatchRooms");
        Assert.Equal([("kept", 3)], rooms.EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("participants").GetInt32())));
        Assert.Equal(3, await reader.GetDatabase().HashLengthAsync("sfu:room:kept"));
        Assert.True(await reader.GetDatabase().SetContainsAsync("sfu:nodes", node.Services.GetRequiredService<LocalNode>().Id));
        Assert.NotEmpty(await reader.GetServer(reader.GetEndPoints()[0]).SubscriptionChannelsAsync(RedisChannel.Pattern("sfu:signalr*")));

        // And the room's broadcasts reach everyone once through the restored backplane.
        await Call(cy, "SendChat", "redis is back");
        await Poll.UntilAsync(() => ada.Chat.Any(m => m.GetProperty("text").GetString() == "redis is back") && bob.Chat.Any(m => m.GetProperty("text").GetString() == "redis is back"), "Ada and Bob to get Cy's line after Redis restarted");
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.Equal(1, ada.Chat.Count(m => m.GetProperty("text").GetString() == "redis is back"));
    }

    private static async Task AssertDegradedAsync(HttpClient http, SfuTestServer node)
    {
        using HttpResponseMessage ready = await http.GetAsync(node.BaseUrl + "/readyz", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        string[] lines = (await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Split('\n');
        Assert.Equal("Degraded", lines[0]);
        Assert.Matches(@"^cluster: redis unreachable since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; serving this node's rooms alone$", Assert.Single(lines[1..]));
    }

    /// <summary>The body of /readyz; null when it does not answer.</summary>
    private static string? ReadyBody(HttpClient http, SfuTestServer node)
    {
        try
        {
            return http.GetStringAsync(node.BaseUrl + "/readyz", TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>(url, participants) of each node the admin API lists; null while it cannot (503 without Redis).</summary>
    private static (string Url, int Participants)[]? ListedNodes(HttpClient http, SfuTestServer node)
    {
        using HttpResponseMessage response = AdminNodesAsync(http, node).GetAwaiter().GetResult();
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }

        JsonElement nodes = response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return [.. nodes.EnumerateArray().Select(n => (n.GetProperty("url").GetString()!, n.GetProperty("participants").GetInt32()))];
    }

    private static async Task<HttpResponseMessage> AdminNodesAsync(HttpClient http, SfuTestServer node)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, node.BaseUrl + Microsoft.AspNetCore.Builder.ClusterExtensions.AdminNodesPath);
        request.Headers.Add("X-Admin-Key", AdminKey);
        return await http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<(string Id, string Token)> JoinAsync(MeetingClient client, string room, string name)
        => await client.JoinAsync(room, name).WaitAsync(CallBound, TestContext.Current.CancellationToken);

    private static Task<T> Call<T>(MeetingClient client, string method, params object?[] args)
        => client.Connection.InvokeCoreAsync<T>(method, args, TestContext.Current.CancellationToken).WaitAsync(CallBound, TestContext.Current.CancellationToken);

    private static Task Call(MeetingClient client, string method, params object?[] args)
        => client.Connection.InvokeCoreAsync(method, args, TestContext.Current.CancellationToken).WaitAsync(CallBound, TestContext.Current.CancellationToken);
}
