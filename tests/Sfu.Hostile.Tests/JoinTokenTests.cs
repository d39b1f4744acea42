using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Rooms;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// Token mode: a Join needs a join token of the server's key, in time, for that room; the
/// token's identity and name are the participant's; the same identity joining again replaces
/// the earlier seat; anonymous lobby pages see no rooms.
/// </summary>
public sealed class JoinTokenTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static TheoryData<string> BadTokens => ["forged", "expired", "other room", "garbage", "none"];

    [Theory(Timeout = 60_000)]
    [MemberData(nameof(BadTokens))]
    public async Task A_join_without_a_valid_token_for_the_room_is_refused_with_the_reason_and_nobody_enters(string which)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(Invitations.TokenMode);
        (string? token, string reason) = which switch
        {
            "forged" => (Invitations.Forge("mallory", "vault"), "signature is not valid"),
            "expired" => (Invitations.Expired(server, "mallory", "vault"), "has expired"),
            "other room" => (Invitations.Mint(server, "mallory", "lobby-room"), "admits to room 'lobby-room', not 'vault'"),
            "garbage" => ("not.a.jwt", "not a well-formed JWT"),
            _ => ((string?)null, "invited participants only"),
        };
        await using MeetingClient mallory = await MeetingClient.ConnectAsync(server, accessToken: token);

        string message = await HubErrors.RefusedAsync(() => mallory.Connection.InvokeAsync<JsonElement>("Join", "vault", "Mallory", Cancel));

        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Null(server.Engine.Rooms.Find("vault"));
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        Assert.Equal(1, (await PrometheusScrape.FetchAsync(http, Cancel)).Sum("sfu_signaling_refused_total", "reason=\"access\""));
    }

    [Fact(Timeout = 60_000)]
    public async Task The_tokens_identity_and_name_are_the_participants_and_a_second_connection_of_the_same_identity_replaces_the_first()
    {
        var recorder = new LifecycleRecorder();
        await using SfuTestServer server = await SfuTestServer.StartAsync(s => s.AddSingletonObserver(recorder), Invitations.TokenMode);
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "bob", "team", "Bob"));
        await bob.JoinAsync("team", "Bob");
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "ada", "team", "Ada Lovelace"));
        JsonElement first = await ada.Connection.InvokeAsync<JsonElement>("Join", "team", "Whatever I like", Cancel);
        Assert.Equal("Ada Lovelace", first.GetProperty("displayName").GetString());
        string firstId = first.GetProperty("participantId").GetString()!;

        await using MeetingClient adaElsewhere = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "ada", "team", "Ada Lovelace"));
        JsonElement second = await adaElsewhere.Connection.InvokeAsync<JsonElement>("Join", "team", "Ada", Cancel);
        string secondId = second.GetProperty("participantId").GetString()!;

        await Poll.UntilAsync(() => !ada.Removed.IsEmpty && bob.Left.Contains(firstId), "the first seat to be replaced and the room told");
        Assert.Contains("Replaced", Assert.Single(ada.Removed), StringComparison.Ordinal);
        Assert.Equal(RoomLifecycle.ReplacedReason, Assert.Single(ada.Removed));
        Assert.Equal(["Ada Lovelace", "Bob"], server.Engine.Rooms.Find("team")!.Participants.Select(p => p.DisplayName).Order(StringComparer.Ordinal));
        Assert.Contains(server.Engine.Rooms.Find("team")!.Participants, p => p.Id == secondId);
        Assert.Equal(1, recorder.Count($"left {firstId} Removed"));
        Assert.Equal(1, recorder.Count("opened team"));
        Assert.Equal(0, recorder.Count("closed team"));
        await Assert.ThrowsAnyAsync<Exception>(() => ada.Connection.InvokeAsync("SendChat", "still here?", Cancel));
    }

    [Fact(Timeout = 60_000)]
    public async Task In_token_mode_the_lobby_lists_no_rooms_and_says_why()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(Invitations.TokenMode);
        await using MeetingClient member = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "ada", "secret-plans"));
        await member.JoinAsync("secret-plans", "Ada");
        await using MeetingClient lobby = await MeetingClient.ConnectAsync(server);

        string message = await HubErrors.RefusedAsync(() => lobby.Connection.InvokeAsync<JsonElement>("WatchRooms", Cancel));

        Assert.Contains("lists no rooms", message, StringComparison.Ordinal);
        await member.Connection.InvokeAsync("Leave", Cancel);
        Assert.Empty(lobby.RoomLists);
    }
}
