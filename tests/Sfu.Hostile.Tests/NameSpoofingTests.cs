using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// Names that pass for someone else's or hide what follows: a second "Ada" in any case or
/// width, zero-width and bidirectional controls, blank-looking letters, stacked marks. Each is
/// refused with a reason and counted; a name that only needs normalizing joins as its
/// normalized form, which is what the others see; /metrics names nobody.
/// </summary>
public sealed class NameSpoofingTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory(Timeout = 60_000)]
    [InlineData("ada", "is taken")]
    [InlineData("ADA", "is taken")]
    [InlineData("\uFF21\uFF44\uFF41", "is taken")] // full-width "Ａｄａ": NFKC makes it "Ada"
    [InlineData("Ada\u200B", "invisible formatting")] // zero-width space
    [InlineData("A\u200Dda", "invisible formatting")] // zero-width joiner
    [InlineData("\u202Eada", "bidirectional")] // right-to-left override
    [InlineData("Ada\u2066x\u2069", "bidirectional")] // isolates
    [InlineData("\u3164", "show as nothing")] // Hangul filler: a "letter" that draws nothing
    [InlineData("Ada\u1680Lovelace", "no space other than the ordinary one")] // Ogham space: NFKC keeps it
    [InlineData("A\u0301\u0301\u0301\u0301", "combining marks")]
    [InlineData("\u0301Ada", "combining marks")]
    [InlineData("Ada\u0007", "control characters")]
    [InlineData("Ad\u2028a", "control characters")] // line separator
    public async Task A_name_that_spoofs_or_hides_is_refused_with_the_reason(string name, string reason)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await ada.JoinAsync("names", "Ada");
        await using MeetingClient mallory = await MeetingClient.ConnectAsync(server);

        string message = await HubErrors.RefusedAsync(() => mallory.Connection.InvokeAsync<JsonElement>("Join", "names", name, Cancel));

        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Single(server.Engine.Rooms.Find("names")!.Participants);
        Assert.Empty(ada.Joined);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_name_is_shown_normalized_and_refusals_are_counted_without_names_in_the_metrics()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        await ada.JoinAsync("quintessa-room", "Quintessa");
        await using MeetingClient bob = await MeetingClient.ConnectAsync(server);

        // Full-width letters, spaces around and doubled inside: one ordinary name.
        JsonElement joined = await bob.Connection.InvokeAsync<JsonElement>("Join", "quintessa-room", "  \uFF22\uFF4F\uFF42   Marley ", Cancel);
        await using MeetingClient spoof = await MeetingClient.ConnectAsync(server);
        await HubErrors.RefusedAsync(() => spoof.Connection.InvokeAsync<JsonElement>("Join", "quintessa-room", "QUINTESSA", Cancel));
        await HubErrors.RefusedAsync(() => spoof.Connection.InvokeAsync<JsonElement>("Join", "quintessa-room", "Quint\u200Bessa", Cancel));

        Assert.Equal("Bob Marley", joined.GetProperty("displayName").GetString());
        await Poll.UntilAsync(() => !ada.Joined.IsEmpty, "Ada to hear of Bob");
        Assert.Equal("Bob Marley", ada.Joined.Single().GetProperty("displayName").GetString());
        PrometheusScrape scrape = await PrometheusScrape.FetchAsync(http, Cancel);
        Assert.Equal(1, scrape.Sum("sfu_signaling_refused_total", "reason=\"name_taken\""));
        Assert.Equal(1, scrape.Sum("sfu_signaling_refused_total", "reason=\"name\""));
        Assert.DoesNotContain("Quintessa", scrape.Text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Marley", scrape.Text, StringComparison.Ordinal);
    }
}
