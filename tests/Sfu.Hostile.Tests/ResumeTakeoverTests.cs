using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Signaling;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// A resume token in the wrong hands. It moves a seat only to the identity that holds it (the
/// join token's identity; in Open mode the anonymous identity of the connection that joined,
/// which a fresh connection may take over); the connection it moves from is told and leaves
/// the room's broadcasts; a used token moves nothing again.
/// </summary>
public sealed class ResumeTakeoverTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task With_join_tokens_another_identity_cannot_resume_a_seat_and_the_same_identity_moves_it_and_the_old_connection_is_told()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync(Invitations.TokenMode);
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "ada", "team"));
        (string adaId, string resumeToken) = await ada.JoinAsync("team", "Ada");
        await using MeetingClient eve = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "eve", "team"));
        await eve.JoinAsync("team", "Eve");

        // Eve holds Ada's resume token (a shared screen, a log): neither her seat's connection
        // nor a fresh one of hers may use it.
        await using MeetingClient eveAgain = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "eve", "team"));
        string refused = await HubErrors.RefusedAsync(() => eveAgain.Connection.InvokeAsync<JsonElement>("Resume", resumeToken, Cancel));
        Assert.Contains("belongs to another participant", refused, StringComparison.Ordinal);
        await using MeetingClient anonymous = await MeetingClient.ConnectAsync(server);
        Assert.Contains("invited participants only", await HubErrors.RefusedAsync(() => anonymous.Connection.InvokeAsync<JsonElement>("Resume", resumeToken, Cancel)), StringComparison.Ordinal);
        Assert.Empty(ada.Removed);

        // Ada on a second connection takes her seat back; the first connection is told and hears the room no more.
        await using MeetingClient adaAgain = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "ada", "team"));
        JsonElement resumed = await adaAgain.Connection.InvokeAsync<JsonElement>("Resume", resumeToken, Cancel);
        Assert.Equal(adaId, resumed.GetProperty("participantId").GetString());
        await Poll.UntilAsync(() => !ada.Removed.IsEmpty, "the old connection to be told");
        Assert.Contains("Resumed elsewhere", Assert.Single(ada.Removed), StringComparison.Ordinal);
        await eve.Connection.InvokeAsync("SendChat", "after the move", Cancel);
        await Poll.UntilAsync(() => adaAgain.Chat.Any(m => m.GetProperty("text").GetString() == "after the move"), "the chat at the new connection");
        Assert.DoesNotContain(ada.Chat, m => m.GetProperty("text").GetString() == "after the move");
        Assert.Empty(eve.Left);

        // The token that was used is spent; the new one is in the snapshot.
        await using MeetingClient adaThird = await MeetingClient.ConnectAsync(server, accessToken: Invitations.Mint(server, "ada", "team"));
        Assert.Contains("unknown or has expired", await HubErrors.RefusedAsync(() => adaThird.Connection.InvokeAsync<JsonElement>("Resume", resumeToken, Cancel)), StringComparison.Ordinal);
        Assert.NotEqual(resumeToken, resumed.GetProperty("meeting").GetProperty("resumeToken").GetString());
    }

    [Fact(Timeout = 60_000)]
    public async Task In_open_mode_a_connection_that_is_someone_else_cannot_resume_a_seat_and_a_fresh_one_moves_it_and_tells_the_old()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        (string adaId, string resumeToken) = await ada.JoinAsync("open", "Ada");

        // Mallory joined (and left) as herself: her connection is her identity, not Ada's.
        await using MeetingClient mallory = await MeetingClient.ConnectAsync(server);
        await mallory.JoinAsync("open", "Mallory");
        await mallory.Connection.InvokeAsync("Leave", Cancel);
        string refused = await HubErrors.RefusedAsync(() => mallory.Connection.InvokeAsync<JsonElement>("Resume", resumeToken, Cancel));
        Assert.Contains("belongs to another participant", refused, StringComparison.Ordinal);
        Assert.Empty(ada.Removed);

        await using MeetingClient fresh = await MeetingClient.ConnectAsync(server);
        JsonElement resumed = await fresh.Connection.InvokeAsync<JsonElement>("Resume", resumeToken, Cancel);

        Assert.Equal(adaId, resumed.GetProperty("participantId").GetString());
        await Poll.UntilAsync(() => !ada.Removed.IsEmpty, "the old connection to be told");
        Assert.Equal(RoomAnnouncements.ResumedElsewhereReason, Assert.Single(ada.Removed));
    }
}
