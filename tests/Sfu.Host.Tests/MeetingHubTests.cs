using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Meeting;

namespace Sfu.Host.Tests;

/// <summary>The meeting features of the hub over real SignalR connections to the real server.</summary>
public sealed class MeetingHubTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_lobby_sees_rooms_appear_with_counts_and_an_emptied_room_leave_the_list()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient lobby = await MeetingClient.ConnectAsync(server);
        JsonElement initial = await lobby.Connection.InvokeAsync<JsonElement>("WatchRooms", Cancel);
        Assert.Equal(0, initial.GetArrayLength());

        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        await ada.JoinAsync("standup", "Ada");
        await Poll.UntilAsync(() => lobby.LatestRooms == "standup:1", "standup with 1");
        await bob.JoinAsync("standup", "Bob");
        await Poll.UntilAsync(() => lobby.LatestRooms == "standup:2", "standup with 2");

        await bob.Connection.InvokeAsync("Leave", Cancel);
        await Poll.UntilAsync(() => lobby.LatestRooms == "standup:1", "standup back to 1");
        await ada.Connection.InvokeAsync("Leave", Cancel);
        await Poll.UntilAsync(() => lobby.LatestRooms == "", "the emptied room to leave the list");
    }

    [Fact]
    public async Task Chat_reaches_the_room_with_the_nickname_notices_mark_joins_and_leaves_and_a_newcomer_gets_the_history()
    {
        // More lines than the history holds, in one burst: the rate limit is raised for this.
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Meeting:ChatBurst=100");
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        await ada.JoinAsync("chat", "Ada");
        await bob.JoinAsync("chat", "Bob");
        for (int i = 0; i < 60; i++)
        {
            await ada.Connection.InvokeAsync("SendChat", $"line {i} <b>bold</b>", Cancel);
        }

        await Poll.UntilAsync(() => bob.Chat.Count(m => MeetingClient.Kind(m) == "message") == 60, "Bob to get 60 lines");
        JsonElement last = bob.Chat.Last();
        Assert.Equal("Ada", last.GetProperty("from").GetString());
        Assert.Equal("line 59 <b>bold</b>", last.GetProperty("text").GetString());
        Assert.True(last.GetProperty("sentAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Contains(ada.Chat, m => MeetingClient.Kind(m) == "notice" && m.GetProperty("text").GetString() == "Bob joined");

        await bob.Connection.InvokeAsync("Leave", Cancel);
        await Poll.UntilAsync(() => ada.Chat.Any(m => MeetingClient.Kind(m) == "notice" && m.GetProperty("text").GetString() == "Bob left"), "the leave notice");

        await using MeetingClient carol = await MeetingClient.ConnectAsync(server);
        await carol.Connection.InvokeAsync<JsonElement>("Join", "chat", "Carol", Cancel);
        JsonElement snapshot = await carol.Connection.InvokeAsync<JsonElement>("MeetingState", Cancel);
        JsonElement[] history = [.. snapshot.GetProperty("chat").EnumerateArray()];
        Assert.Equal(ChatService.HistorySize, history.Length);
        Assert.Equal("Carol joined", history[^1].GetProperty("text").GetString());
        Assert.Equal("Bob left", history[^2].GetProperty("text").GetString());
        Assert.Equal("line 59 <b>bold</b>", history[^3].GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("", "The message is empty.")]
    [InlineData("   ", "The message is empty.")]
    [InlineData("bell\u0007", "control characters")]
    public async Task Bad_chat_lines_are_refused_with_the_reason(string text, string expected)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        HubException beforeJoin = await Assert.ThrowsAsync<HubException>(() => ada.Connection.InvokeAsync("SendChat", "hi", Cancel));
        await ada.JoinAsync("limits", "Ada");

        HubException error = await Assert.ThrowsAsync<HubException>(() => ada.Connection.InvokeAsync("SendChat", text, Cancel));
        HubException tooLong = await Assert.ThrowsAsync<HubException>(() => ada.Connection.InvokeAsync("SendChat", new string('x', 501), Cancel));

        Assert.Contains("call Join first", beforeJoin.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("longer than 500 characters", tooLong.Message, StringComparison.Ordinal);
        await ada.Connection.InvokeAsync("SendChat", new string('x', 500), Cancel);
        await Poll.UntilAsync(() => ada.Chat.Any(m => MeetingClient.Kind(m) == "message"), "the 500-character line to go through");
    }

    [Fact]
    public async Task A_participant_who_floods_the_chat_is_told_to_slow_down_and_the_others_keep_chatting()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Meeting:ChatBurst=3", "--Sfu:Meeting:ChatMessagesPerSecond=0.01");
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        await ada.JoinAsync("flood", "Ada");
        await bob.JoinAsync("flood", "Bob");

        for (int i = 0; i < 3; i++)
        {
            await ada.Connection.InvokeAsync("SendChat", $"line {i}", Cancel);
        }

        HubException refused = await Assert.ThrowsAsync<HubException>(() => ada.Connection.InvokeAsync("SendChat", "one too many", Cancel));
        await bob.Connection.InvokeAsync("SendChat", "bob still talks", Cancel);

        Assert.Contains("Slow down: at most 3 messages at once", refused.Message, StringComparison.Ordinal);
        await Poll.UntilAsync(() => ada.Chat.Any(m => m.GetProperty("text").GetString() == "bob still talks"), "Bob's line to reach Ada");
        Assert.Equal(3, ada.Chat.Count(m => MeetingClient.Kind(m) == "message" && m.GetProperty("from").GetString() == "Ada"));
        Assert.DoesNotContain(bob.Chat, m => m.GetProperty("text").GetString() == "one too many");
    }

    [Fact]
    public async Task Media_state_goes_to_the_others_and_to_newcomers()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        (string adaId, _) = await ada.JoinAsync("states", "Ada");
        await bob.JoinAsync("states", "Bob");

        await ada.Connection.InvokeAsync("SetMediaState", false, true, false, Cancel);
        await Poll.UntilAsync(() => bob.MediaStates.Any(s => s.GetProperty("participantId").GetString() == adaId && !s.GetProperty("mic").GetBoolean()), "Bob to see Ada's mic off");

        await using MeetingClient carol = await MeetingClient.ConnectAsync(server);
        await carol.Connection.InvokeAsync<JsonElement>("Join", "states", "Carol", Cancel);
        JsonElement snapshot = await carol.Connection.InvokeAsync<JsonElement>("MeetingState", Cancel);
        JsonElement adaState = snapshot.GetProperty("mediaStates").EnumerateArray().Single(s => s.GetProperty("participantId").GetString() == adaId);
        Assert.False(adaState.GetProperty("mic").GetBoolean());
        Assert.True(adaState.GetProperty("camera").GetBoolean());
    }

    [Fact]
    public async Task A_dropped_connection_resumes_without_the_others_seeing_a_leave_and_an_unknown_token_is_refused()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server, reconnect: true);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        (string adaId, string token) = await ada.JoinAsync("resume", "Ada");
        await bob.JoinAsync("resume", "Bob");
        var resumed = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        ada.Connection.Reconnected += async _ =>
        {
            try
            {
                resumed.TrySetResult(await ada.Connection.InvokeAsync<JsonElement>("Resume", token));
            }
            catch (HubException e)
            {
                resumed.TrySetException(e);
            }
        };

        Assert.True(server.Services.GetRequiredService<MeetingSessions>().AbortConnection(adaId));
        JsonElement result = await resumed.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel);

        Assert.Equal(adaId, result.GetProperty("participantId").GetString());
        Assert.Equal("Bob", result.GetProperty("participants")[0].GetProperty("displayName").GetString());
        await ada.Connection.InvokeAsync("SendChat", "back", Cancel);
        await Poll.UntilAsync(() => bob.Chat.Any(m => m.GetProperty("text").GetString() == "back" && m.GetProperty("fromId").GetString() == adaId), "Bob to hear from the resumed Ada");
        Assert.Empty(bob.Left);
        Assert.DoesNotContain(bob.Chat, m => MeetingClient.Kind(m) == "notice" && m.GetProperty("text").GetString() == "Ada left");

        await using MeetingClient mallory = await MeetingClient.ConnectAsync(server);
        HubException refused = await Assert.ThrowsAsync<HubException>(() => mallory.Connection.InvokeAsync<JsonElement>("Resume", "not-a-token", Cancel));
        Assert.Contains("join again", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_participant_that_does_not_come_back_within_the_grace_period_leaves_and_the_room_is_told()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync("--Sfu:Meeting:ReconnectGraceSeconds=1");
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        (string adaId, string token) = await ada.JoinAsync("grace", "Ada");
        await bob.JoinAsync("grace", "Bob");

        Assert.True(server.Services.GetRequiredService<MeetingSessions>().AbortConnection(adaId));
        await Task.Delay(TimeSpan.FromMilliseconds(300), Cancel);
        Assert.Empty(bob.Left);

        await Poll.UntilAsync(() => bob.Left.Contains(adaId), "Bob to get ParticipantLeft for Ada");
        await Poll.UntilAsync(() => bob.Chat.Any(m => MeetingClient.Kind(m) == "notice" && m.GetProperty("text").GetString() == "Ada left"), "the leave notice");
        await using MeetingClient late = await MeetingClient.ConnectAsync(server);
        HubException expired = await Assert.ThrowsAsync<HubException>(() => late.Connection.InvokeAsync<JsonElement>("Resume", token, Cancel));
        Assert.Contains("join again", expired.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closing_page_leaves_at_once_with_its_token_and_a_bad_token_changes_nothing()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);
        (string adaId, string token) = await ada.JoinAsync("beacon", "Ada");
        await bob.JoinAsync("beacon", "Bob");
        using var http = new HttpClient();

        using HttpResponseMessage unknown = await http.PostAsync(server.BaseUrl + "/api/meeting/leave", new StringContent("nope"), Cancel);
        using HttpResponseMessage huge = await http.PostAsync(server.BaseUrl + "/api/meeting/leave", new StringContent(new string('t', 5000)), Cancel);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, huge.StatusCode);
        Assert.Empty(bob.Left);

        using HttpResponseMessage left = await http.PostAsync(server.BaseUrl + "/api/meeting/leave", new StringContent(token), Cancel);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, left.StatusCode);
        await Poll.UntilAsync(() => bob.Left.Contains(adaId), "Bob to get ParticipantLeft for Ada");
        await ada.Connection.StopAsync(Cancel);
        await Task.Delay(200, Cancel);
        Assert.Equal([adaId], bob.Left);
    }
}
