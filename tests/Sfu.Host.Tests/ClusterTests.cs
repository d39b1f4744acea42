using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Core.Relay;
using Sfu.Host.Cluster;
using StackExchange.Redis;

namespace Sfu.Host.Tests;

/// <summary>
/// Two real server nodes (Kestrel on 127.0.0.1, one of them a process of its own where a
/// node must die) sharing a real redis-server started by the test, with real SignalR clients.
/// </summary>
public sealed class ClusterTests
{
    private const string AdminKey = "cluster-tests-admin-key-0123456789abcdef";

    private static string[] Node(RedisServer redis, params string[] more) => TwoNodes.Args(redis, more);

    [Fact(Timeout = 60_000)]
    public async Task The_lobby_on_one_node_lists_a_room_of_the_other_with_its_total_count_and_a_join_lists_the_remote_members()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        await using MeetingClient lobby = await MeetingClient.ConnectAsync(a);
        Assert.Equal(0, (await lobby.Connection.InvokeAsync<JsonElement>("WatchRooms", cancel)).GetArrayLength());

        await using MeetingClient ada = await MeetingClient.ConnectAsync(b);
        (string adaId, _) = await ada.JoinAsync("span", "Ada");
        await Poll.UntilAsync(() => lobby.LatestRooms == "span:1", "node A's lobby to list span:1, created on node B");

        await using MeetingClient bob = await MeetingClient.ConnectAsync(a);
        JsonElement joined = await bob.Connection.InvokeAsync<JsonElement>("Join", "span", "Bob", cancel);
        Assert.Equal([(adaId, "Ada")], joined.GetProperty("participants").EnumerateArray().Select(p => (p.GetProperty("id").GetString(), p.GetProperty("displayName").GetString())));
        await Poll.UntilAsync(() => lobby.LatestRooms == "span:2", "span:2 across both nodes");
        await Poll.UntilAsync(() => ada.Joined.Any(p => p.GetProperty("displayName").GetString() == "Bob"), "Ada on B to hear Bob joined on A");

        await ada.Connection.InvokeAsync("Leave", cancel);
        await Poll.UntilAsync(() => lobby.LatestRooms == "span:1", "span back to 1 after Ada left on B");
        await Poll.UntilAsync(() => bob.Left.Contains(adaId), "Bob on A to hear Ada left on B");
        await bob.Connection.InvokeAsync("Leave", cancel);
        await Poll.UntilAsync(() => lobby.LatestRooms == "", "the emptied room to leave the list");
    }

    [Fact(Timeout = 60_000)]
    public async Task Chat_sent_on_one_node_reaches_a_member_on_the_other_and_a_newcomer_anywhere_gets_the_history()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(a);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(b);
        await ada.JoinAsync("chat", "Ada");
        await bob.JoinAsync("chat", "Bob");

        await ada.Connection.InvokeAsync("SendChat", "hello from node A", cancel);
        await Poll.UntilAsync(() => bob.Chat.Any(m => MeetingClient.Kind(m) == "message" && m.GetProperty("text").GetString() == "hello from node A"), "Bob on B to get Ada's line");
        await bob.Connection.InvokeAsync("SendChat", "and back from B", cancel);
        await Poll.UntilAsync(() => ada.Chat.Any(m => m.GetProperty("text").GetString() == "and back from B"), "Ada on A to get Bob's line");
        Assert.Equal(1, bob.Chat.Count(m => m.GetProperty("text").GetString() == "hello from node A"));

        await using MeetingClient carol = await MeetingClient.ConnectAsync(b);
        await carol.Connection.InvokeAsync<JsonElement>("Join", "chat", "Carol", cancel);
        JsonElement snapshot = await carol.Connection.InvokeAsync<JsonElement>("MeetingState", cancel);
        string[] history = [.. snapshot.GetProperty("chat").EnumerateArray().Select(m => m.GetProperty("text").GetString()!)];
        Assert.Equal(["Ada joined", "Bob joined", "hello from node A", "and back from B", "Carol joined"], history);

        // The room empties everywhere: a later room of the same name starts with no history.
        await ada.Connection.InvokeAsync("Leave", cancel);
        await bob.Connection.InvokeAsync("Leave", cancel);
        await carol.Connection.InvokeAsync("Leave", cancel);
        await using MeetingClient dan = await MeetingClient.ConnectAsync(a);
        await dan.Connection.InvokeAsync<JsonElement>("Join", "chat", "Dan", cancel);
        snapshot = await dan.Connection.InvokeAsync<JsonElement>("MeetingState", cancel);
        Assert.Equal(["Dan joined"], snapshot.GetProperty("chat").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_nodes_sharing_a_room_hold_one_authenticated_relay_link_and_drop_it_when_they_share_none()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes nodes = await TwoNodes.StartAsync();
        (SfuTestServer a, SfuTestServer b) = (nodes.A, nodes.B);
        NodeRelays relaysA = a.Services.GetRequiredService<NodeRelays>();
        NodeRelays relaysB = b.Services.GetRequiredService<NodeRelays>();
        string idA = a.Services.GetRequiredService<LocalNode>().Id;
        string idB = b.Services.GetRequiredService<LocalNode>().Id;

        // Each in a room of its own: no room spans, so no link.
        await using MeetingClient ada = await MeetingClient.ConnectAsync(a);
        await ada.JoinAsync("span", "Ada");
        await using MeetingClient cal = await MeetingClient.ConnectAsync(b);
        await cal.JoinAsync("elsewhere", "Cal");
        await Poll.UntilAsync(() => Live(a)?.Count == 2 && Live(a)!.All(n => n.Relay.Length > 0 && n.RelayFingerprint.StartsWith("sha-256 ", StringComparison.Ordinal)), "both nodes to announce a relay and its fingerprint");
        await Task.Delay(TimeSpan.FromSeconds(1), cancel);
        Assert.Empty(relaysA.Links);
        Assert.Empty(relaysB.Links);

        // A member on node B joins span: both nodes link to each other, once.
        await using MeetingClient bob = await MeetingClient.ConnectAsync(b);
        await bob.JoinAsync("span", "Bob");
        await Poll.UntilAsync(() => relaysA.ConnectedPeers.SequenceEqual([idB]) && relaysB.ConnectedPeers.SequenceEqual([idA]), "a connected relay link each way");
        RelayLink fromA = Assert.Single(relaysA.Links);
        RelayLink fromB = Assert.Single(relaysB.Links);
        // The node whose id sorts lower is the DTLS client, the other the server.
        bool aLower = string.CompareOrdinal(idA, idB) < 0;
        Assert.Equal(aLower ? Sfu.Core.Dtls.DtlsRole.Client : Sfu.Core.Dtls.DtlsRole.Server, fromA.Role);
        Assert.Equal(aLower ? Sfu.Core.Dtls.DtlsRole.Server : Sfu.Core.Dtls.DtlsRole.Client, fromB.Role);
        Assert.Equal(Live(a)!.Single(n => n.Id == idB).Relay, $"{fromA.Remote.Address}:{fromA.Remote.Port}");

        // The meter reports the link by its peer node.
        using (var http = new HttpClient { BaseAddress = new Uri(a.BaseUrl) })
        {
            PrometheusScrape scrape = await PrometheusScrape.FetchAsync(http, cancel);
            string peer = $"peer=\"{idB}\"";
            foreach (string name in (string[])["sfu_relay_packets_sent_total", "sfu_relay_packets_received_total", "sfu_relay_bytes_sent_bytes_total", "sfu_relay_bytes_received_bytes_total"])
            {
                Assert.True(scrape.Samples(name).Any(l => l.Contains(peer, StringComparison.Ordinal)), $"{name} for {peer} in:\n{scrape.Text}");
            }
        }

        // Bob leaves: span lives on node A alone, the link goes.
        await bob.Connection.InvokeAsync("Leave", cancel);
        await Poll.UntilAsync(() => relaysA.Links.Count == 0 && relaysB.Links.Count == 0, "both links dropped once no room spans");
    }

    [Fact(Timeout = 120_000)]
    public async Task A_node_that_stops_beating_leaves_the_directory_and_its_members_leave_the_rooms_of_the_others()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using RedisServer redis = await RedisServer.StartAsync();
        await using SfuTestServer a = await SfuTestServer.StartAsync(Node(redis));
        await using SfuServerProcess b = await SfuServerProcess.StartAsync(Node(redis));
        await Poll.UntilAsync(() => Live(a)?.Count == 2, "both nodes in the directory");

        await using MeetingClient lobby = await MeetingClient.ConnectAsync(a);
        await lobby.Connection.InvokeAsync<JsonElement>("WatchRooms", cancel);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(a);
        await ada.JoinAsync("span", "Ada");
        await using MeetingClient bea = await MeetingClient.ConnectAsync(b.BaseUrl);
        (string beaId, _) = await bea.JoinAsync("span", "Bea");
        await using MeetingClient cal = await MeetingClient.ConnectAsync(b.BaseUrl);
        await cal.JoinAsync("elsewhere", "Cal");
        await Poll.UntilAsync(() => lobby.LatestRooms == "elsewhere:1,span:2", "both rooms listed with node B's members");

        NodeRelays relays = a.Services.GetRequiredService<NodeRelays>();
        await Poll.UntilAsync(() => relays.ConnectedPeers.Count == 1, "node A's relay link to node B, which shares span");

        await b.KillAsync();
        await Poll.UntilAsync(() => ada.Left.Contains(beaId), "Ada to hear Bea left when node B died");
        await Poll.UntilAsync(() => relays.Links.Count == 0, "node A to free its relay link to the dead node B");
        await Poll.UntilAsync(() => lobby.LatestRooms == "span:1", "node B's members gone from the lobby");
        await Poll.UntilAsync(() => Live(a)?.Select(n => n.Url).SequenceEqual([a.BaseUrl]) == true, "the directory to list node A alone");
    }

    [Fact(Timeout = 60_000)]
    public async Task Placement_names_the_node_hosting_the_room_while_it_has_capacity_else_the_least_loaded()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using TwoNodes cluster = await TwoNodes.StartAsync("--Sfu:Limits:MaxParticipants=3", $"--Sfu:Admin:Key={AdminKey}");
        (SfuTestServer a, SfuTestServer b) = (cluster.A, cluster.B);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await using MeetingClient ada = await MeetingClient.ConnectAsync(a);
        await ada.JoinAsync("busy", "Ada");
        await Poll.UntilAsync(() => Live(a)?.Any(n => n.Url == a.BaseUrl && n.Participants == 1) == true, "node A's load of 1 in the directory");

        // Asked on either node: the room stays where it is; a new room goes to the idle node.
        Assert.Equal(a.BaseUrl, (await PlaceAsync(http, b, "busy", cancel)).Url);
        Assert.Equal(b.BaseUrl, (await PlaceAsync(http, a, "fresh", cancel)).Url);

        await using MeetingClient bob = await MeetingClient.ConnectAsync(a);
        await using MeetingClient cy = await MeetingClient.ConnectAsync(a);
        await bob.JoinAsync("busy", "Bob");
        await cy.JoinAsync("busy", "Cy");
        await Poll.UntilAsync(() => Live(a)?.Any(n => n.Url == a.BaseUrl && n.Participants == 3) == true, "node A full in the directory");
        Placement full = await PlaceAsync(http, a, "busy", cancel);
        Assert.Equal(b.BaseUrl, full.Url);
        Assert.Equal(b.Services.GetRequiredService<LocalNode>().Id, full.NodeId);

        using HttpResponseMessage bad = await http.GetAsync(a.BaseUrl + "/api/rooms/no%20spaces/node", cancel);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);

        // The operator sees both nodes with their load; without the key, nothing.
        using var nodes = new HttpRequestMessage(HttpMethod.Get, a.BaseUrl + "/api/admin/cluster/nodes");
        nodes.Headers.Add("X-Admin-Key", AdminKey);
        using HttpResponseMessage listed = await http.SendAsync(nodes, cancel);
        JsonElement[] records = [.. (await listed.Content.ReadFromJsonAsync<JsonElement>(cancel)).EnumerateArray()];
        Assert.Equal(
            [(a.BaseUrl, 3, 3), (b.BaseUrl, 0, 500)],
            records.Select(n => (n.GetProperty("url").GetString(), n.GetProperty("participants").GetInt32(), n.GetProperty("capacity").GetInt32())).OrderBy(n => n.Item1 == a.BaseUrl ? 0 : 1));
        Assert.All(records, n => Assert.StartsWith("127.0.0.1:", n.GetProperty("mediaAddress").GetString(), StringComparison.Ordinal));
        using HttpResponseMessage anonymous = await http.GetAsync(a.BaseUrl + "/api/admin/cluster/nodes", cancel);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_single_server_places_every_room_on_itself()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using SfuTestServer single = await SfuTestServer.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        Placement placement = await PlaceAsync(http, single, "any", cancel);
        Assert.Null(placement.NodeId);
        Assert.Equal(single.BaseUrl, placement.Url);
    }

    /// <summary>
    /// The directory as <paramref name="node"/> reads it; null while Redis does not answer in
    /// time (a loaded machine), so a poll asks again.
    /// </summary>
    private static IReadOnlyList<NodeRecord>? Live(SfuTestServer node)
    {
        try
        {
            return node.Services.GetRequiredService<NodeDirectory>().LiveAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null;
        }
    }

    private static async Task<Placement> PlaceAsync(HttpClient http, SfuTestServer server, string room, CancellationToken cancel)
        => (await http.GetFromJsonAsync<Placement>($"{server.BaseUrl}/api/rooms/{room}/node", cancel))!;
}
