using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Admin;

namespace Sfu.Host.Tests;

/// <summary>
/// The admin API and dashboard over the real server: the key is required everywhere, the
/// answers are JSON, and kicking a participant or closing a room reaches their clients.
/// </summary>
public sealed class AdminApiTests
{
    private const string Key = "correct horse battery staple, admin edition";

    [Fact]
    public async Task Without_a_configured_key_admin_is_off_and_every_admin_address_answers_404()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add(AdminKey.HeaderName, Key);

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/admin/rooms", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.DeleteAsync("/api/admin/rooms/any", Cancel)).StatusCode);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Authorization", "Bearer wrong")]
    [InlineData("Authorization", "Basic " + "Y29ycmVjdA==")]
    [InlineData("X-Admin-Key", "correct horse battery stapl")]
    [InlineData("X-Admin-Key", "")]
    public async Task A_missing_or_wrong_key_gets_401_with_a_reason(string? header, string? value)
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}");
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        if (header is not null)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(header, value);
        }

        foreach (HttpRequestMessage request in new[]
        {
            new HttpRequestMessage(HttpMethod.Get, "/api/admin/rooms"),
            new HttpRequestMessage(HttpMethod.Get, "/api/admin/rooms/x"),
            new HttpRequestMessage(HttpMethod.Get, "/api/admin/stats"),
            new HttpRequestMessage(HttpMethod.Delete, "/api/admin/rooms/x"),
            new HttpRequestMessage(HttpMethod.Delete, "/api/admin/rooms/x/participants/y"),
        })
        {
            using HttpResponseMessage response = await http.SendAsync(request, Cancel);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            AdminError? error = await response.Content.ReadFromJsonAsync<AdminError>(Cancel);
            Assert.Contains("admin key is missing or wrong", error!.Error, StringComparison.Ordinal);
            Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using HttpResponseMessage page = await http.GetAsync("/admin", Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
        string html = await page.Content.ReadAsStringAsync(Cancel);
        Assert.Contains("name=\"key\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("admin.js", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/admin.html", Cancel)).StatusCode);
    }

    [Fact]
    public async Task The_sign_in_form_turns_the_key_into_a_cookie_that_opens_the_dashboard_and_a_wrong_key_is_told_so()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}");
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = true, UseCookies = true }) { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add("Origin", server.BaseUrl); // as a browser sends on a form post

        using HttpResponseMessage denied = await http.PostAsync("/admin/login", new FormUrlEncodedContent([new("key", "guess")]), Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Contains("That key is not the admin key", await denied.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);

        using HttpResponseMessage signedIn = await http.PostAsync("/admin/login", new FormUrlEncodedContent([new("key", Key)]), Cancel);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
        Assert.Contains("/admin.js", await signedIn.Content.ReadAsStringAsync(Cancel), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/admin/stats", Cancel)).StatusCode);

        using HttpResponseMessage signedOut = await http.PostAsync("/admin/logout", null, Cancel);
        Assert.Equal(HttpStatusCode.Unauthorized, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/admin/rooms", Cancel)).StatusCode);
    }

    [Fact]
    public async Task Rooms_are_listed_and_detailed_a_kicked_participant_is_told_why_and_a_closed_room_empties()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}");
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        await using HubConnection ada = await ConnectAsync(server);
        await using HubConnection bob = await ConnectAsync(server);
        var adaRemoved = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobRemoved = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobSawLeave = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ada.On<string>("Removed", reason => adaRemoved.TrySetResult(reason));
        bob.On<string>("Removed", reason => bobRemoved.TrySetResult(reason));
        bob.On<string>("ParticipantLeft", id => bobSawLeave.TrySetResult(id));
        JsonElement adaJoin = await ada.InvokeAsync<JsonElement>("Join", "ops", "Ada", Cancel);
        await bob.InvokeAsync<JsonElement>("Join", "ops", "Bob", Cancel);
        string adaId = adaJoin.GetProperty("participantId").GetString()!;

        RoomSummary[] rooms = (await http.GetFromJsonAsync<RoomSummary[]>("/api/admin/rooms", Cancel))!;
        RoomSummary room = Assert.Single(rooms);
        Assert.Equal(("ops", 2), (room.Name, room.Participants));
        RoomDetail detail = (await http.GetFromJsonAsync<RoomDetail>("/api/admin/rooms/ops", Cancel))!;
        Assert.Equal(["Ada", "Bob"], detail.Participants.Select(p => p.DisplayName).Order(StringComparer.Ordinal));
        Assert.All(detail.Participants, p => Assert.False(p.Connected));

        using HttpResponseMessage missingRoom = await http.GetAsync("/api/admin/rooms/nowhere", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, missingRoom.StatusCode);
        Assert.Contains("No room named 'nowhere'", (await missingRoom.Content.ReadFromJsonAsync<AdminError>(Cancel))!.Error, StringComparison.Ordinal);
        using HttpResponseMessage missingParticipant = await http.DeleteAsync("/api/admin/rooms/ops/participants/p00", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, missingParticipant.StatusCode);

        using HttpResponseMessage kick = await http.DeleteAsync($"/api/admin/rooms/ops/participants/{adaId}", Cancel);
        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        Assert.Equal(AdminEndpoints.KickReason, await adaRemoved.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        Assert.Equal(adaId, await bobSawLeave.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        RoomDetail after = (await http.GetFromJsonAsync<RoomDetail>("/api/admin/rooms/ops", Cancel))!;
        Assert.Equal("Bob", Assert.Single(after.Participants).DisplayName);

        using HttpResponseMessage close = await http.DeleteAsync("/api/admin/rooms/ops", Cancel);
        Assert.Equal(HttpStatusCode.NoContent, close.StatusCode);
        Assert.Equal(AdminEndpoints.RoomClosedReason, await bobRemoved.Task.WaitAsync(TimeSpan.FromSeconds(10), Cancel));
        Assert.Empty((await http.GetFromJsonAsync<RoomSummary[]>("/api/admin/rooms", Cancel))!);

        // The kicked client's connection still works: it may join again.
        await ada.InvokeAsync<JsonElement>("Join", "ops", "Ada", Cancel);
    }

    [Fact]
    public async Task Liveness_and_readiness_answer_once_the_media_port_is_bound()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz", Cancel)).StatusCode);
        using HttpResponseMessage ready = await http.GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync(Cancel));
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static async Task<HubConnection> ConnectAsync(SfuTestServer server)
    {
        HubConnection connection = new HubConnectionBuilder().WithUrl(server.BaseUrl + "/hubs/sfu").Build();
        await connection.StartAsync(Cancel);
        return connection;
    }
}
