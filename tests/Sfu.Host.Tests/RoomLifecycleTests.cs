using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Admin;
using Sfu.Host.Meeting;
using Sfu.Host.Rooms;

namespace Sfu.Host.Tests;

/// <summary>
/// Every way out of a room is one departure: the others get ParticipantLeft and one "left"
/// notice, the lobby's count follows, the resume token resumes nothing, and when the last one
/// leaves the room's chat goes with it. Also while the participant is held for resume, where
/// no connection speaks for it. The real server, real SignalR clients, a werift peer.
/// </summary>
public sealed class RoomLifecycleTests
{
    private const string Key = "lifecycle admin key of thirty-two or more bytes";

    /// <summary>After the first announcement, how long a second one would have had to arrive.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_participant_held_for_resume_that_an_operator_kicks_leaves_once_and_its_token_resumes_nothing()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}");
        using HttpClient admin = Admin(server);
        await using MeetingClient lobby = await WatchLobbyAsync(server);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        (string adaId, string token) = await ada.JoinAsync("held-kick", "Ada");
        await bob.JoinAsync("held-kick", "Bob");
        await Poll.UntilAsync(() => lobby.LatestRooms == "held-kick:2", "the lobby to count two");
        await HoldAsync(server, adaId);

        using HttpResponseMessage kick = await admin.DeleteAsync($"/api/admin/rooms/held-kick/participants/{adaId}", Cancel);

        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        await Poll.UntilAsync(() => bob.Left.Contains(adaId), "Bob to get ParticipantLeft for Ada");
        await Poll.UntilAsync(() => bob.Notices("Ada left") > 0, "the leave notice");
        await Poll.UntilAsync(() => lobby.LatestRooms == "held-kick:1", "the lobby to count one");
        await AssertResumeRefusedAsync(server, token);
        await Task.Delay(Settle, Cancel);
        Assert.Equal([adaId], bob.Left);
        Assert.Equal(1, bob.Notices("Ada left"));
        RoomDetail room = (await admin.GetFromJsonAsync<RoomDetail>("/api/admin/rooms/held-kick", Cancel))!;
        Assert.Equal("Bob", Assert.Single(room.Participants).DisplayName);
    }

    [Fact]
    public async Task A_participant_held_for_resume_whose_media_consent_runs_out_leaves_and_no_session_stays()
    {
        // RFC 7675 consent: the timeout stays above werift's check interval (5 s ± 20%), so the
        // watcher, which does ICE, keeps its session while Ada, which never does, loses hers.
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}", "--Sfu:Media:ConsentTimeoutSeconds=7");
        using HttpClient admin = Admin(server);
        await using MeetingClient lobby = await WatchLobbyAsync(server);
        await using WeriftPeer watcher = WeriftPeer.Start(server.BaseUrl, "held-consent", "watcher", expectRemotes: 0, durationMs: 30000);
        await Poll.UntilAsync(() => lobby.LatestRooms == "held-consent:1", "the watcher to join", seconds: 20);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        (string adaId, string token) = await ada.JoinAsync("held-consent", "Ada");
        await HoldAsync(server, adaId);

        await Poll.UntilAsync(() => LeftAt(watcher).Contains(adaId), "the watcher to get ParticipantLeft for Ada", seconds: 20);

        await Poll.UntilAsync(() => lobby.LatestRooms == "held-consent:1", "the lobby to count the watcher alone");
        RoomDetail room = (await admin.GetFromJsonAsync<RoomDetail>("/api/admin/rooms/held-consent", Cancel))!;
        Assert.Equal("watcher", Assert.Single(room.Participants).DisplayName);
        Assert.Null(server.Services.GetRequiredService<MeetingSessions>().Find(adaId));
        await AssertResumeRefusedAsync(server, token);
        await Task.Delay(Settle, Cancel);
        Assert.Equal([adaId], LeftAt(watcher));
        Assert.Contains(watcher.Events, e => e.GetProperty("event").GetString() == "connection" && e.GetProperty("state").GetString() == "connected");
    }

    [Theory]
    [InlineData("leave", DepartureCause.Left)]
    [InlineData("connection closed without a token", DepartureCause.ConnectionClosed)]
    [InlineData("beacon", DepartureCause.PageClosed)]
    [InlineData("kick", DepartureCause.Removed)]
    [InlineData("grace expired", DepartureCause.GraceExpired)]
    public async Task Every_way_of_leaving_is_announced_exactly_once(string how, DepartureCause cause)
    {
        var recorder = new LifecycleRecorder();
        await using SfuTestServer server = await SfuTestServer.StartAsync(
            s => s.AddSingleton<IRoomObserver>(recorder), $"--Sfu:Admin:Key={Key}", "--Sfu:Meeting:ReconnectGraceSeconds=1");
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await bob.JoinAsync("once", "Bob");
        string adaId;
        string token = "";
        if (cause == DepartureCause.ConnectionClosed)
        {
            // A bot or interop peer: it never asks for its resume token, so it is not held.
            JsonElement joined = await ada.Connection.InvokeAsync<JsonElement>("Join", "once", "Ada", Cancel);
            adaId = joined.GetProperty("participantId").GetString()!;
        }
        else
        {
            (adaId, token) = await ada.JoinAsync("once", "Ada");
        }

        await LeaveAsync(server, ada, adaId, token, cause);
        await Poll.UntilAsync(() => bob.Left.Contains(adaId), $"Bob to get ParticipantLeft for Ada ({how})");
        if (cause == DepartureCause.Removed)
        {
            await Poll.UntilAsync(() => !ada.Removed.IsEmpty, "Ada to be told she was removed");
        }

        // What a page does after any departure: its connection closes. It must add nothing.
        await ada.Connection.StopAsync(Cancel);
        await Poll.UntilAsync(() => bob.Notices("Ada left") > 0, "the leave notice");
        await Task.Delay(Settle, Cancel);

        Assert.Equal([adaId], bob.Left);
        Assert.Equal(1, bob.Notices("Ada left"));
        string left = Assert.Single(recorder.Events, e => e.StartsWith($"left {adaId} ", StringComparison.Ordinal));
        Assert.StartsWith($"left {adaId} {cause} ", left, StringComparison.Ordinal);
        Assert.Equal(cause == DepartureCause.Removed ? [AdminEndpoints.KickReason] : [], ada.Removed);
        Assert.Equal(1, recorder.Count("opened once"));
        Assert.Equal(0, recorder.Count("closed once"));
        Assert.Null(server.Services.GetRequiredService<MeetingSessions>().Find(adaId));
    }

    [Fact]
    public async Task Closing_a_room_removes_everyone_in_it_once_held_or_not_and_closes_it_once()
    {
        var recorder = new LifecycleRecorder();
        await using SfuTestServer server = await SfuTestServer.StartAsync(s => s.AddSingleton<IRoomObserver>(recorder), $"--Sfu:Admin:Key={Key}");
        using HttpClient admin = Admin(server);
        await using MeetingClient lobby = await WatchLobbyAsync(server);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        await using MeetingClient carol = await MeetingClient.ConnectAsync(server);
        (string adaId, _) = await ada.JoinAsync("closing", "Ada");
        (string bobId, _) = await bob.JoinAsync("closing", "Bob");
        (string carolId, string carolToken) = await carol.JoinAsync("closing", "Carol");
        await HoldAsync(server, carolId);

        using HttpResponseMessage close = await admin.DeleteAsync("/api/admin/rooms/closing", Cancel);

        Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        await Poll.UntilAsync(() => recorder.Count("closed closing") > 0, "the room to close");
        await Poll.UntilAsync(() => !ada.Removed.IsEmpty && !bob.Removed.IsEmpty, "Ada and Bob to be told");
        await Poll.UntilAsync(() => lobby.LatestRooms == "", "the lobby to drop the room");
        await Task.Delay(Settle, Cancel);
        Assert.Equal([AdminEndpoints.RoomClosedReason], ada.Removed);
        Assert.Equal([AdminEndpoints.RoomClosedReason], bob.Removed);
        foreach (string id in new[] { adaId, bobId, carolId })
        {
            Assert.Equal(
                $"left {id} {DepartureCause.Removed} {AdminEndpoints.RoomClosedReason}",
                Assert.Single(recorder.Events, e => e.StartsWith($"left {id} ", StringComparison.Ordinal)));
        }

        Assert.Equal(1, recorder.Count("opened closing"));
        Assert.Equal(1, recorder.Count("closed closing"));
        Assert.Equal("closed closing", recorder.Events.Last());
        Assert.Empty((await admin.GetFromJsonAsync<Admin.RoomSummary[]>("/api/admin/rooms", Cancel))!);
        await AssertResumeRefusedAsync(server, carolToken);
    }

    [Fact]
    public async Task When_the_last_participant_leaves_the_room_closes_its_chat_is_forgotten_and_the_lobby_drops_it()
    {
        var recorder = new LifecycleRecorder();
        await using SfuTestServer server = await SfuTestServer.StartAsync(s => s.AddSingleton<IRoomObserver>(recorder));
        await using MeetingClient lobby = await WatchLobbyAsync(server);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        await ada.JoinAsync("fleeting", "Ada");
        await bob.JoinAsync("fleeting", "Bob");
        await ada.Connection.InvokeAsync("SendChat", "said before the room closed", Cancel);
        await Poll.UntilAsync(() => bob.Chat.Any(m => m.GetProperty("text").GetString() == "said before the room closed"), "Bob to get the line");

        await bob.Connection.InvokeAsync("Leave", Cancel);
        await Poll.UntilAsync(() => lobby.LatestRooms == "fleeting:1", "the lobby to count one");
        Assert.Equal(0, recorder.Count("closed fleeting"));
        await ada.Connection.InvokeAsync("Leave", Cancel);
        await Poll.UntilAsync(() => lobby.LatestRooms == "", "the lobby to drop the room");
        Assert.Equal(1, recorder.Count("closed fleeting"));

        await using MeetingClient carol = await MeetingClient.ConnectAsync(server);
        await carol.Connection.InvokeAsync<JsonElement>("Join", "fleeting", "Carol", Cancel);
        JsonElement snapshot = await carol.Connection.InvokeAsync<JsonElement>("MeetingState", Cancel);
        Assert.Equal(["Carol joined"], snapshot.GetProperty("chat").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
        await Poll.UntilAsync(() => lobby.LatestRooms == "fleeting:1", "the lobby to list the new room");
        Assert.Equal(["opened fleeting", "closed fleeting", "opened fleeting"], recorder.Events.Where(e => e.EndsWith(" fleeting", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_resume_on_a_new_connection_takes_the_old_connection_out_of_the_room()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient oldAda = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        (string adaId, string token) = await oldAda.JoinAsync("takeover", "Ada");
        await bob.JoinAsync("takeover", "Bob");

        // The old connection is still up: the new one takes the seat over from it.
        await using MeetingClient newAda = await MeetingClient.ConnectAsync(server);
        JsonElement resumed = await newAda.Connection.InvokeAsync<JsonElement>("Resume", token, Cancel);
        Assert.Equal(adaId, resumed.GetProperty("participantId").GetString());
        await bob.Connection.InvokeAsync("SendChat", "after the resume", Cancel);
        await using MeetingClient carol = await MeetingClient.ConnectAsync(server);
        await carol.JoinAsync("takeover", "Carol");

        await Poll.UntilAsync(() => newAda.Chat.Any(m => m.GetProperty("text").GetString() == "after the resume"), "the new connection to get Bob's line");
        await Poll.UntilAsync(() => newAda.Joined.Any(p => p.GetProperty("displayName").GetString() == "Carol"), "the new connection to see Carol join");
        await Task.Delay(Settle, Cancel);
        Assert.DoesNotContain(oldAda.Chat, m => m.GetProperty("text").GetString() is "after the resume" or "Carol joined");
        Assert.DoesNotContain(oldAda.Joined, p => p.GetProperty("displayName").GetString() == "Carol");
        HubException stale = await Assert.ThrowsAsync<HubException>(() => oldAda.Connection.InvokeAsync("SendChat", "from the old tab", Cancel));
        Assert.Contains("call Join first", stale.Message, StringComparison.Ordinal);

        // The old connection closing is no departure: Ada speaks through the new one.
        await oldAda.Connection.StopAsync(Cancel);
        await newAda.Connection.InvokeAsync("SendChat", "still here", Cancel);
        await Poll.UntilAsync(() => bob.Chat.Any(m => m.GetProperty("text").GetString() == "still here"), "Bob to hear the resumed Ada");
        Assert.Empty(bob.Left);
    }

    /// <summary>Cuts the participant's connection and waits until the server holds it for resume.</summary>
    private static async Task HoldAsync(SfuTestServer server, string participantId)
    {
        MeetingSessions sessions = server.Services.GetRequiredService<MeetingSessions>();
        Assert.True(sessions.AbortConnection(participantId));
        await Poll.UntilAsync(() => sessions.Find(participantId) is { ConnectionId: null }, "the server to hold the participant for resume");
    }

    private static async Task LeaveAsync(SfuTestServer server, MeetingClient client, string id, string token, DepartureCause cause)
    {
        switch (cause)
        {
            case DepartureCause.Left:
                await client.Connection.InvokeAsync("Leave", Cancel);
                break;
            case DepartureCause.ConnectionClosed:
                await client.Connection.StopAsync(Cancel);
                break;
            case DepartureCause.PageClosed:
                using (var http = new HttpClient())
                {
                    using HttpResponseMessage beacon = await http.PostAsync(server.BaseUrl + "/api/meeting/leave", new StringContent(token), Cancel);
                    Assert.Equal(HttpStatusCode.NoContent, beacon.StatusCode);
                }

                break;
            case DepartureCause.Removed:
                using (HttpClient admin = Admin(server))
                {
                    using HttpResponseMessage kick = await admin.DeleteAsync($"/api/admin/rooms/once/participants/{id}", Cancel);
                    Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
                }

                break;
            case DepartureCause.GraceExpired:
                await HoldAsync(server, id);
                break;
        }
    }

    private static async Task AssertResumeRefusedAsync(SfuTestServer server, string token)
    {
        await using MeetingClient late = await MeetingClient.ConnectAsync(server);
        HubException refused = await Assert.ThrowsAsync<HubException>(() => late.Connection.InvokeAsync<JsonElement>("Resume", token, Cancel));
        Assert.Contains("join again", refused.Message, StringComparison.Ordinal);
    }

    private static async Task<MeetingClient> WatchLobbyAsync(SfuTestServer server)
    {
        MeetingClient lobby = await MeetingClient.ConnectAsync(server);
        await lobby.Connection.InvokeAsync<JsonElement>("WatchRooms", Cancel);
        return lobby;
    }

    private static HttpClient Admin(SfuTestServer server)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return http;
    }

    private static List<string> LeftAt(WeriftPeer peer)
        => [.. peer.Events.Where(e => e.GetProperty("event").GetString() == "left").Select(e => e.GetProperty("id").GetString()!)];
}
