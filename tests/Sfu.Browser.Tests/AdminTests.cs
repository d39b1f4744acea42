using Microsoft.Playwright;

namespace Sfu.Browser.Tests;

/// <summary>The admin dashboard in Chromium, watching a live room of Chromium participants.</summary>
public sealed class AdminTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact(Timeout = 240_000)]
    public async Task The_dashboard_shows_the_live_room_draws_its_charts_and_a_kicked_participant_is_told_why()
    {
        const string room = "ops-room";
        CancellationToken cancel = TestContext.Current.CancellationToken;
        var participants = new List<BrowserParticipant>();
        await using IBrowserContext adminContext = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1440, Height = 1000 },
        });
        try
        {
            foreach (string name in new[] { "Alice", "Bob", "Carol" })
            {
                participants.Add(await BrowserParticipant.JoinAsync(browser, server, room, name));
            }

            foreach (BrowserParticipant p in participants)
            {
                await Eventually.UntilAsync(p.CountDecodingRemoteVideoAsync, n => n == 2, Deadline, $"{p.Name} to decode two remote videos", cancel);
            }

            IPage admin = await SignInAsync(server, adminContext);
            ILocator card = admin.Locator($"[data-testid=room-card][data-room='{room}']");
            await Eventually.UntilAsync(
                () => card.Locator("[data-testid=participant-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.name).sort()"),
                names => names.SequenceEqual(["Alice", "Bob", "Carol"]),
                Deadline,
                "the dashboard to list Alice, Bob and Carol",
                cancel);
            Assert.Equal(6, await card.Locator("[data-testid=track-row]").CountAsync());

            // Each chart is a uPlot canvas holding several seconds of samples.
            await Eventually.UntilAsync(
                () => admin.Locator("[data-chart=forwarded] .plot").GetAttributeAsync("data-points"),
                points => int.TryParse(points, out int n) && n >= 5,
                Deadline,
                "the forwarded-packets chart to hold 5 samples",
                cancel);
            Assert.Equal(7, await admin.Locator(".plot canvas").CountAsync());

            // One line per media thread, named for what it does, and the split fan-outs.
            string? threadSeries = await admin.Locator("[data-chart=threads] .plot").GetAttributeAsync("data-series");
            string[] expectedThreads = [.. Enumerable.Range(0, Environment.ProcessorCount).Select(i => $"receive {i}"), .. Enumerable.Range(0, Environment.ProcessorCount - 1).Select(i => $"fan-out {i}"), "split"];
            Assert.Equal(string.Join('|', expectedThreads), threadSeries);
            Assert.True(await ChartHasInkAsync(admin, "threads"), "the media threads chart drew a line");
            Assert.NotEqual("0 pkt/s", await admin.GetByTestId("kpi-forwarded").TextContentAsync());
            // The KPI counts the whole server: a participant of an earlier test may still be held
            // for resume, so compare it with the server's own room list rather than with 3.
            await Eventually.UntilAsync(
                async () => (await admin.GetByTestId("kpi-participants").TextContentAsync(), await ServerParticipantsAsync(adminContext)),
                pair => pair.Item1 == pair.Item2.ToString(System.Globalization.CultureInfo.InvariantCulture) && pair.Item2 >= 3,
                Deadline,
                "the participants KPI to show the server's participant count",
                cancel);
            Assert.True(await ChartHasInkAsync(admin, "forwarded"), "the forwarded-packets chart drew a line");
            // Chromium's reception reports reached the RTT, jitter and loss histograms.
            string metrics = await Eventually.UntilAsync(
                async () => await (await adminContext.APIRequest.GetAsync(server.Url("/metrics"))).TextAsync(),
                text => text.Contains("sfu_rtcp_rtt_seconds_count", StringComparison.Ordinal),
                Deadline,
                "a round-trip time measured from Chromium's receiver reports",
                cancel);
            Assert.Contains("sfu_rtcp_jitter_seconds_count", metrics, StringComparison.Ordinal);
            Assert.Contains("sfu_rtcp_fraction_lost_count", metrics, StringComparison.Ordinal);
            Assert.Contains("sfu_participants{otel_scope_name=\"SfuRouter\"} 3", metrics, StringComparison.Ordinal);
            await Screenshots.TakeFullPageAsync(admin, "admin.png");

            // Kick Bob: the button asks for a second click, then his page says why he left.
            BrowserParticipant bob = participants[1];
            ILocator kick = card.Locator("[data-testid=participant-row][data-name=Bob] [data-testid=kick-button]");
            await kick.ClickAsync();
            await card.Locator("[data-testid=participant-row][data-name=Bob] [data-testid=kick-button]").ClickAsync();
            await Eventually.UntilAsync(
                async () => string.Join(',', await card.Locator("[data-testid=participant-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.name).sort()"))
                    + " | dashboard error: " + await admin.GetByTestId("admin-error").TextContentAsync(),
                listed => listed.StartsWith("Alice,Carol |", StringComparison.Ordinal),
                Deadline,
                "the dashboard to drop Bob",
                cancel);
            await Eventually.UntilAsync(
                () => bob.Page.GetByTestId("error-banner").TextContentAsync(),
                text => text?.Contains("Removed by an operator", StringComparison.Ordinal) == true,
                Deadline,
                "Bob's page to say he was removed by an operator",
                cancel);
            Assert.Equal("closed", await bob.ConnectionStateAsync());
            await Eventually.UntilAsync(participants[0].RemoteTileNamesAsync, names => !names.Contains("Bob"), Deadline, "Alice to lose Bob's tile", cancel);
        }
        finally
        {
            foreach (BrowserParticipant p in participants)
            {
                await p.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Without_the_key_the_dashboard_and_the_API_answer_401_and_a_wrong_key_is_refused()
    {
        await using IBrowserContext context = await browser.NewContextAsync();
        IPage page = await context.NewPageAsync();

        IResponse? dashboard = await page.GotoAsync(server.Url("/admin"));
        Assert.Equal(401, dashboard?.Status);
        Assert.True(await page.GetByTestId("admin-key-input").IsVisibleAsync());
        IAPIResponse api = await context.APIRequest.GetAsync(server.Url("/api/admin/rooms"));
        Assert.Equal(401, api.Status);
        Assert.Equal(404, (await context.APIRequest.GetAsync(server.Url("/admin.html"))).Status);

        await page.GetByTestId("admin-key-input").FillAsync("not-the-key");
        await page.GetByTestId("admin-login-button").ClickAsync();
        await page.GetByTestId("admin-login-error").WaitForAsync();
        Assert.Equal(401, (await context.APIRequest.GetAsync(server.Url("/api/admin/stats"))).Status);
    }

    /// <summary>Opens the dashboard in <paramref name="context"/> and signs in with the admin key.</summary>
    internal static async Task<IPage> SignInAsync(SfuServerFixture server, IBrowserContext context)
    {
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(server.Url("/admin"));
        await page.GetByTestId("admin-key-input").FillAsync(SfuServerFixture.AdminKey);
        await page.GetByTestId("admin-login-button").ClickAsync();
        await page.GetByTestId("room-list").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });
        return page;
    }

    /// <summary>Whether the chart's canvas has coloured pixels other than the background (a drawn series).</summary>
    private static Task<bool> ChartHasInkAsync(IPage page, string chart) => page.EvaluateAsync<bool>(
        """
        (name) => {
          const canvas = document.querySelector(`[data-chart=${name}] canvas`);
          const ctx = canvas?.getContext('2d');
          if (!ctx) return false;
          const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
          for (let i = 0; i < data.length; i += 4) {
            // The series stroke is saturated blue; grid lines and text are grey.
            if (data[i + 2] > 200 && data[i] < 120 && data[i + 3] > 200) return true;
          }
          return false;
        }
        """,
        chart);

    /// <summary>The participants of every room, from the admin API.</summary>
    private async Task<int> ServerParticipantsAsync(IBrowserContext signedIn)
    {
        IAPIResponse rooms = await signedIn.APIRequest.GetAsync(server.Url("/api/admin/rooms"));
        using System.Text.Json.JsonDocument json = System.Text.Json.JsonDocument.Parse(await rooms.TextAsync());
        return json.RootElement.EnumerateArray().Sum(r => r.GetProperty("participants").GetInt32());
    }
}
