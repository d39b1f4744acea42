using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host;
using Sfu.Host.Admin;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// The admin side against a guesser and a hostile page: a fresh session per sign-in that Sign
/// out kills, a back-off on wrong keys per address, state changes only from our own origin (or
/// from scripts that send the key), and keys too short to start with.
/// </summary>
public sealed class AdminHardeningTests
{
    private const string Key = "hostile-suite-admin-key-0123456789abcdef";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact(Timeout = 60_000)]
    public async Task Each_sign_in_gets_its_own_cookie_and_after_sign_out_the_old_cookie_gets_401()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}");
        string first = await SignInAsync(server);
        string second = await SignInAsync(server);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain(Key, first, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(server, HttpMethod.Get, "/api/admin/rooms", first));

        using (HttpClient browser = Client(server, cookie: first))
        {
            using var signOut = new HttpRequestMessage(HttpMethod.Post, "/admin/logout");
            signOut.Headers.Add("Origin", server.BaseUrl);
            Assert.Equal(HttpStatusCode.Redirect, (await browser.SendAsync(signOut, Cancel)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(server, HttpMethod.Get, "/api/admin/rooms", first));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(server, HttpMethod.Get, "/api/admin/stats", first));
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(server, HttpMethod.Get, "/api/admin/rooms", second));
    }

    [Fact(Timeout = 60_000)]
    public async Task Wrong_keys_from_one_address_back_off_with_429_and_retry_after_even_for_the_right_key_until_the_wait_is_over()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}", "--Sfu:Admin:FreeAttempts=5", "--Sfu:Admin:BackoffSeconds=1", "--Sfu:Admin:MaxBackoffSeconds=2");
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 8; i++)
        {
            statuses.Add(await WithKeyAsync(server, $"guess-{i}"));
        }

        using HttpClient client = Client(server);
        client.DefaultRequestHeaders.Add(AdminKey.HeaderName, Key);
        using HttpResponseMessage rightKeyWhileWaiting = await client.GetAsync("/api/admin/rooms", Cancel);
        using HttpResponseMessage formWhileWaiting = await client.PostAsync("/admin/login", new FormUrlEncodedContent([new("key", Key)]), Cancel);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 6), statuses.Take(6));
        Assert.Equal([HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses.Skip(6));
        Assert.Equal(HttpStatusCode.TooManyRequests, rightKeyWhileWaiting.StatusCode);
        TimeSpan wait = rightKeyWhileWaiting.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(wait, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Contains("try again in", (await rightKeyWhileWaiting.Content.ReadFromJsonAsync<AdminError>(Cancel))!.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, formWhileWaiting.StatusCode);

        await Task.Delay(wait + TimeSpan.FromMilliseconds(200), Cancel);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/admin/rooms", Cancel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithKeyAsync(server, "guess-after")); // the count started over
    }

    [Fact(Timeout = 60_000)]
    public async Task A_state_change_from_another_origin_or_with_a_bare_cookie_is_refused_and_one_with_the_key_header_passes()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync($"--Sfu:Admin:Key={Key}");
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server);
        (string adaId, _) = await ada.JoinAsync("ops", "Ada");
        string cookie = await SignInAsync(server);
        string kick = $"/api/admin/rooms/ops/participants/{adaId}";

        Assert.Equal(HttpStatusCode.Forbidden, await WithCookieAsync(server, HttpMethod.Delete, kick, cookie, origin: "http://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, await WithCookieAsync(server, HttpMethod.Delete, kick, cookie, origin: null));
        Assert.Equal(HttpStatusCode.Forbidden, await WithCookieAsync(server, HttpMethod.Delete, kick, cookie, origin: "null"));
        Assert.Single(server.Engine.Rooms.Find("ops")!.Participants);

        using HttpClient script = Client(server);
        script.DefaultRequestHeaders.Add(AdminKey.HeaderName, Key);
        using HttpResponseMessage minted = await script.PostAsJsonAsync("/api/admin/tokens", new { room = "ops", identity = "bob" }, Cancel);
        Assert.Equal(HttpStatusCode.Conflict, minted.StatusCode); // no signing key: Open mode without keys
        Assert.Equal(HttpStatusCode.NoContent, (await script.DeleteAsync(kick, Cancel)).StatusCode);
        await Poll.UntilAsync(() => !ada.Removed.IsEmpty, "the kick to reach Ada");
        // From our own origin the cookie is enough: past the checks, the emptied room is not found.
        Assert.Equal(HttpStatusCode.NotFound, await WithCookieAsync(server, HttpMethod.Delete, "/api/admin/rooms/ops", cookie, origin: server.BaseUrl));
    }

    [Fact(Timeout = 60_000)]
    public async Task An_operator_mints_a_join_token_whose_invite_link_admits_to_that_room_only()
    {
        await using SfuTestServer server = await SfuTestServer.StartAsync([$"--Sfu:Admin:Key={Key}", .. Invitations.TokenMode]);
        using HttpClient script = Client(server);
        using HttpResponseMessage unauthorized = await script.PostAsJsonAsync("/api/admin/tokens", new { room = "demo", identity = "ada" }, Cancel);
        script.DefaultRequestHeaders.Add(AdminKey.HeaderName, Key);
        using HttpResponseMessage bad = await script.PostAsJsonAsync("/api/admin/tokens", new { room = "demo", identity = "ada lovelace" }, Cancel);
        MintedToken minted = (await (await script.PostAsJsonAsync("/api/admin/tokens", new { room = "demo", identity = "ada", name = "Ada", validSeconds = 600 }, Cancel)).Content.ReadFromJsonAsync<MintedToken>(Cancel))!;

        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal($"{server.BaseUrl}/room/demo?token={minted.Token}", minted.InviteUrl);
        Assert.InRange(minted.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(590), DateTimeOffset.UtcNow.AddSeconds(610));
        await using MeetingClient ada = await MeetingClient.ConnectAsync(server, accessToken: minted.Token);
        JsonElement joined = await ada.Connection.InvokeAsync<JsonElement>("Join", "demo", "x", Cancel);
        Assert.Equal("Ada", joined.GetProperty("displayName").GetString());
        await ada.Connection.InvokeAsync("Leave", Cancel);
        Assert.Contains("admits to room 'demo'", await HubErrors.RefusedAsync(() => ada.Connection.InvokeAsync<JsonElement>("Join", "elsewhere", "x", Cancel)), StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("--Sfu:Admin:Key=short-admin-key", "Sfu:Admin:Key is 15 bytes long")]
    [InlineData("--Sfu:Auth:Keys:main=short-secret", "Sfu:Auth:Keys:main is 12 bytes long")]
    [InlineData("--Sfu:Auth:Mode=Token", "no signing key is configured")]
    public void A_server_with_a_short_secret_or_token_mode_without_a_key_refuses_to_start_and_says_why(string setting, string reason)
    {
        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(
            () => SfuServer.CreateApp(["--Urls=http://127.0.0.1:0", "--Sfu:Media:Port=0", setting]));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    private static HttpClient Client(SfuTestServer server, string? cookie = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(server.BaseUrl) };
        if (cookie is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", $"{AdminSessions.CookieName}={cookie}");
        }

        return client;
    }

    /// <summary>Signs in through the form as the dashboard's page does; returns the session cookie's value.</summary>
    private static async Task<string> SignInAsync(SfuTestServer server)
    {
        using HttpClient browser = Client(server);
        using var form = new HttpRequestMessage(HttpMethod.Post, "/admin/login") { Content = new FormUrlEncodedContent([new("key", Key)]) };
        form.Headers.Add("Origin", server.BaseUrl);
        using HttpResponseMessage response = await browser.SendAsync(form, Cancel);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        string setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        return setCookie.Split(';')[0].Split('=', 2)[1];
    }

    private static async Task<HttpStatusCode> WithCookieAsync(SfuTestServer server, HttpMethod method, string path, string cookie, string? origin = null)
    {
        using HttpClient browser = Client(server, cookie);
        using var request = new HttpRequestMessage(method, path);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        using HttpResponseMessage response = await browser.SendAsync(request, Cancel);
        return response.StatusCode;
    }

    private static async Task<HttpStatusCode> WithKeyAsync(SfuTestServer server, string key)
    {
        using HttpClient script = Client(server);
        script.DefaultRequestHeaders.Add(AdminKey.HeaderName, key);
        using HttpResponseMessage response = await script.GetAsync("/api/admin/rooms", Cancel);
        return response.StatusCode;
    }
}
