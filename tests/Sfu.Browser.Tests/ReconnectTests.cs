using Microsoft.Extensions.DependencyInjection;
using Sfu.Host.Meeting;

namespace Sfu.Browser.Tests;

/// <summary>
/// A dropped signaling connection recovers by itself, and an ICE restart keeps the session:
/// media resumes and nobody sees a leave.
/// </summary>
public sealed class ReconnectTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact(Timeout = 180_000)]
    public async Task Cutting_the_signaling_connection_on_the_server_is_followed_by_automatic_recovery_of_media()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "reconnect-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "reconnect-room", "Bob");
        string adaId = await InCallAsync(ada, bob, cancel);
        await ada.Page.EvaluateAsync("() => { window.recoveries = []; window.sfu.on('recovered', (r) => window.recoveries.push(r)); }");

        Assert.True(server.Services.GetRequiredService<MeetingSessions>().AbortConnection(adaId));

        await Eventually.UntilAsync(
            () => ada.Page.EvaluateAsync<string[]>("() => window.recoveries"),
            r => r.Length == 1,
            Deadline,
            "Ada's client to recover by itself",
            cancel);
        Assert.Equal(["resumed"], await ada.Page.EvaluateAsync<string[]>("() => window.recoveries"));
        Assert.Equal(adaId, await ada.ParticipantIdAsync());
        await Eventually.UntilAsync(ada.ConnectionStateAsync, s => s == "connected", Deadline, "Ada's status to be connected again", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to keep decoding Ada", cancel);
        await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada to keep decoding Bob", cancel);

        // Signaling works again on the new connection: a chat line and a camera toggle get through.
        await ada.Page.GetByTestId("chat-input").FillAsync("back again");
        await ada.Page.GetByTestId("chat-send").ClickAsync();
        await Eventually.UntilAsync(() => bob.Page.GetByTestId("chat-text").AllTextContentsAsync(), t => t.Contains("back again"), Deadline, "Bob to get Ada's line", cancel);
        await ada.Page.GetByTestId("toggle-camera").ClickAsync();
        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-camera"), c => c == "off", Deadline, "Bob to see Ada's camera off", cancel);

        Assert.Empty(await bob.Page.EvaluateAsync<string[]>("() => window.leftEvents"));
        Assert.Equal(["Ada"], await bob.RemoteTileNamesAsync());
    }

    /// <summary>
    /// Waits until Ada and Bob decode each other, then has Bob record every leave he is told
    /// of (window.leftEvents). Returns Ada's participant id.
    /// </summary>
    private static async Task<string> InCallAsync(BrowserParticipant ada, BrowserParticipant bob, CancellationToken cancel)
    {
        await DecodingEachOtherAsync(ada, bob, "", cancel);
        await bob.Page.EvaluateAsync("() => { window.leftEvents = []; window.sfu.on('participantLeft', (p) => window.leftEvents.push(p.participantId)); }");
        return await ada.ParticipantIdAsync();
    }

    [Fact(Timeout = 180_000)]
    public async Task A_page_that_closes_its_peer_connection_leaves_at_once_and_is_told_why()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "close-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "close-room", "Bob");
        string adaId = await InCallAsync(ada, bob, cancel);

        // Chromium ends the DTLS association with close_notify; signaling stays connected.
        await ada.Page.EvaluateAsync("() => window.sfu.pc.close()");

        // Well before the 30 s consent timeout.
        await Eventually.UntilAsync(bob.RemoteTileNamesAsync, names => names.Count == 0, TimeSpan.FromSeconds(5), "Bob to lose Ada's tile", cancel);
        Assert.Equal([adaId], await bob.Page.EvaluateAsync<string[]>("() => window.leftEvents"));
        await Eventually.UntilAsync(
            () => ada.Page.GetByTestId("error-banner").TextContentAsync(),
            t => t?.Contains("The media connection was closed", StringComparison.Ordinal) == true,
            Deadline,
            "Ada to be told why she left",
            cancel);
    }

    /// <summary>The ICE side of the peer connection as Chromium reports it.</summary>
    private sealed class IceTransportSample
    {
        public string LocalUfrag { get; set; } = "";

        public string RemoteUfrag { get; set; } = "";

        public string State { get; set; } = "";

        public double ResponsesReceived { get; set; }

        public override string ToString() => $"local ufrag {LocalUfrag}, remote ufrag {RemoteUfrag}, {State}, {ResponsesReceived} responses";
    }

    private const string IceTransportScript = """
        async () => {
          const pc = window.sfu.pc;
          const report = await pc.getStats();
          let transport;
          report.forEach((s) => { if (s.type === 'transport') transport = s; });
          const pair = transport ? report.get(transport.selectedCandidatePairId) : undefined;
          const remoteUfrag = /a=ice-ufrag:(\S+)/.exec(pc.remoteDescription?.sdp ?? '')?.[1] ?? '';
          return {
            localUfrag: transport?.iceLocalUsernameFragment ?? '',
            remoteUfrag,
            state: transport?.iceState ?? '',
            responsesReceived: pair?.responsesReceived ?? 0,
          };
        }
        """;

    [Fact(Timeout = 180_000)]
    public async Task An_ice_restart_gets_new_credentials_from_the_server_and_media_goes_on_without_a_rejoin()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "ice-restart-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "ice-restart-room", "Bob");
        string adaId = await InCallAsync(ada, bob, cancel);
        IceTransportSample before = await ada.Page.EvaluateAsync<IceTransportSample>(IceTransportScript);
        Assert.Equal("connected", before.State);

        await ada.Page.EvaluateAsync("() => window.sfu.restartIce()");

        // RFC 8839 §4.4.1.1.1: the answer to a restart carries new credentials of the server's too;
        // the checks Chromium sends with the new pair are answered on the new selected pair.
        IceTransportSample after = await Eventually.UntilAsync(
            () => ada.Page.EvaluateAsync<IceTransportSample>(IceTransportScript),
            t => t.RemoteUfrag != before.RemoteUfrag && t.LocalUfrag != before.LocalUfrag && t.State == "connected" && t.ResponsesReceived > 0,
            Deadline,
            "Ada's ICE to run on new credentials, answered by the server",
            cancel);
        Assert.NotEqual("", after.RemoteUfrag);

        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to keep decoding Ada", cancel);
        await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada to keep decoding Bob", cancel);
        Assert.Equal(adaId, await ada.ParticipantIdAsync());
        Assert.Equal(1, await ada.Page.EvaluateAsync<int>("() => window.sfu.iceRestarts"));
        Assert.Empty(await bob.Page.EvaluateAsync<string[]>("() => window.leftEvents"));
    }

    /// <summary>
    /// Makes every new peer connection of the page report 'failed' as soon as it exists, before
    /// it can connect, as when a server fails every connection fast; the page's own failure
    /// handling runs on it. Stops when window.failNext reaches 0.
    /// </summary>
    private const string FailEveryNewConnectionScript = """
        (count) => {
          window.failNext = count;
          let failed = null;
          const timer = setInterval(() => {
            const pc = window.sfu.pc;
            if (window.failNext <= 0) { clearInterval(timer); return; }
            if (pc && pc !== failed) {
              failed = pc;
              window.failNext--;
              Object.defineProperty(pc, 'connectionState', { get: () => 'failed' });
              pc.onconnectionstatechange?.(new Event('connectionstatechange'));
            }
          }, 20);
        }
        """;

    /// <summary>One 'rejoining' event of the page: the attempt, its planned delay, and when (ms).</summary>
    private sealed class RejoinSample
    {
        public int Attempt { get; set; }

        public double DelayMs { get; set; }

        public double At { get; set; }
    }

    /// <summary>
    /// Has Ada's page record every back-off it announces (window.rejoins: attempt, planned delay,
    /// when) and Bob's page when he sees someone join (window.joinedAt): each join is one the
    /// server accepted.
    /// </summary>
    private static async Task RecordRejoinsAsync(BrowserParticipant ada, BrowserParticipant bob)
    {
        await ada.Page.EvaluateAsync("() => { window.rejoins = []; window.sfu.on('rejoining', (r) => window.rejoins.push({ attempt: r.attempt, delayMs: r.delayMs, at: performance.now() })); }");
        // For failure messages: how each rejoin ended, and when.
        await ada.Page.EvaluateAsync("() => { window.outcomes = []; for (const e of ['recovered', 'gaveUp', 'error', 'warning']) window.sfu.on(e, (r) => window.outcomes.push({ event: e, detail: String(r?.reason ?? r?.message ?? r), at: Math.round(performance.now()) })); }");
        await bob.Page.EvaluateAsync("() => { window.joinedAt = []; window.sfu.on('participantJoined', (p) => window.joinedAt.push(performance.now())); }");
    }

    private static Task<RejoinSample[]> RejoinsAsync(BrowserParticipant page) => page.Page.EvaluateAsync<RejoinSample[]>("() => window.rejoins");

    private static Task<double[]> JoinsSeenAsync(BrowserParticipant page) => page.Page.EvaluateAsync<double[]>("() => window.joinedAt");

    /// <summary>The back-off ceiling of rejoin attempt <paramref name="attempt"/>: 1 s doubling, at most 30 s (reconnect.ts).</summary>
    private static double BackOffCeilingMs(int attempt) => Math.Min(30_000, 1000 * Math.Pow(2, attempt - 1));

    /// <summary>Both pages decode each other's video; <paramref name="when"/> ends the failure message.</summary>
    private static async Task DecodingEachOtherAsync(BrowserParticipant ada, BrowserParticipant bob, string when, CancellationToken cancel)
    {
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, $"Bob to decode Ada{when}", cancel);
        await Eventually.UntilAsync(ada.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, $"Ada to decode Bob{when}", cancel);
    }

    [Fact(Timeout = 180_000)]
    public async Task Failing_peer_connections_rejoin_after_a_growing_jittered_back_off_and_tell_the_person()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "backoff-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "backoff-room", "Bob");
        await InCallAsync(ada, bob, cancel);
        await RecordRejoinsAsync(ada, bob);

        // Three failures in a row, each before the new connection could connect.
        await ada.Page.EvaluateAsync(FailEveryNewConnectionScript, 3);
        RejoinSample[] rejoins = await Eventually.UntilAsync(
            () => RejoinsAsync(ada),
            r => r.Length == 3,
            TimeSpan.FromSeconds(30),
            "Ada's page to back off three times",
            cancel);
        Assert.Equal([1, 2, 3], rejoins.Select(r => r.Attempt));
        foreach (RejoinSample rejoin in rejoins)
        {
            // Each delay between half and all of its ceiling (never 0: that looped).
            double ceiling = BackOffCeilingMs(rejoin.Attempt);
            Assert.InRange(rejoin.DelayMs, ceiling / 2, ceiling);
        }

        // What the server saw: Ada joins again once per failure, each after its delay (timers
        // never fire early, so the delays are lower bounds on the gaps Bob observes).
        double[] joins = await Eventually.UntilAsync(
            () => JoinsSeenAsync(bob),
            j => j.Length == 3,
            TimeSpan.FromSeconds(30),
            "Bob to see Ada join again three times",
            cancel);
        await Task.Delay(TimeSpan.FromSeconds(2), cancel);
        Assert.Equal(3, (await JoinsSeenAsync(bob)).Length);
        for (int i = 1; i < joins.Length; i++)
        {
            Assert.True(joins[i] - joins[i - 1] >= rejoins[i].DelayMs - 50, $"rejoin {i + 1} came {joins[i] - joins[i - 1]:F0} ms after the previous, its back-off was {rejoins[i].DelayMs:F0} ms");
        }

        string? banner = await ada.Page.GetByTestId("error-banner").TextContentAsync();
        Assert.Matches("joining again in [0-9]+ s", banner ?? "");

        // The last rejoin connects: media flows, and the next failure starts the back-off over.
        await DecodingEachOtherAsync(ada, bob, " again", cancel);
        await Eventually.UntilAsync(ada.ConnectionStateAsync, s => s == "connected", Deadline, "Ada's status to be connected", cancel);
        await ada.Page.EvaluateAsync(FailEveryNewConnectionScript, 1);
        RejoinSample[] after = await Eventually.UntilAsync(
            () => RejoinsAsync(ada),
            r => r.Length == 4,
            Deadline,
            "Ada's page to back off once more",
            cancel);
        Assert.Equal(1, after[3].Attempt);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada after the last rejoin", cancel);
    }

    /// <summary>
    /// Runs the page's rejoin back-off <c>scale</c> times faster: each timer the page starts with
    /// the delay it has just announced in a 'rejoining' event is started with that delay divided
    /// by <c>scale</c> (the planned delays themselves, and every other timer, are untouched).
    /// Eight real back-offs would take up to two minutes.
    /// </summary>
    private const string ShortenRejoinBackOffScript = """
        (scale) => {
          let announced = null;
          window.sfu.on('rejoining', (r) => { announced = r.delayMs; });
          const original = window.setTimeout;
          window.setTimeout = function (handler, ms, ...args) {
            if (announced !== null && ms === announced) {
              announced = null;
              ms = ms / scale;
            }
            return original.call(window, handler, ms, ...args);
          };
        }
        """;

    private const int BackOffScale = 20;

    [Fact(Timeout = 180_000)]
    public async Task After_eight_failing_peer_connections_in_a_row_the_page_stops_rejoining_and_says_so_and_a_reload_brings_media_back()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "give-up-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "give-up-room", "Bob");
        await InCallAsync(ada, bob, cancel);
        await RecordRejoinsAsync(ada, bob);
        await ada.Page.EvaluateAsync(ShortenRejoinBackOffScript, BackOffScale);

        // Nine failures in a row: the connection Ada has, then each of her eight rejoins'.
        await ada.Page.EvaluateAsync(FailEveryNewConnectionScript, 9);
        const string gaveUp = "The media connection failed 8 times in a row; reload the page to try again.";
        await Eventually.UntilAsync(
            () => ada.Page.GetByTestId("error-banner").TextContentAsync(),
            t => t == gaveUp,
            TimeSpan.FromSeconds(40),
            "Ada's page to say it stopped trying",
            cancel);

        // Eight back-offs, growing to the 30 s cap, and as many joins at the server.
        RejoinSample[] rejoins = await RejoinsAsync(ada);
        Assert.Equal(Enumerable.Range(1, 8), rejoins.Select(r => r.Attempt));
        foreach (RejoinSample rejoin in rejoins)
        {
            double ceiling = BackOffCeilingMs(rejoin.Attempt);
            Assert.InRange(rejoin.DelayMs, ceiling / 2, ceiling);
        }
        await Eventually.UntilAsync(() => JoinsSeenAsync(bob), j => j.Length == 8, Deadline, "Bob to see Ada join again eight times", cancel);

        // Then nothing more, for longer than a ninth back-off would have waited (at this scale):
        // no rejoin, no join at the server; Ada has left the room and her page is closed.
        await Task.Delay(TimeSpan.FromMilliseconds(2 * BackOffCeilingMs(9) / BackOffScale), cancel);
        Assert.Equal(8, (await RejoinsAsync(ada)).Length);
        Assert.Equal(8, (await JoinsSeenAsync(bob)).Length);
        await Eventually.UntilAsync(bob.RemoteTileNamesAsync, names => names.Count == 0, Deadline, "Bob to lose Ada's tile", cancel);
        Assert.True(await ada.Page.EvaluateAsync<bool>("() => window.sfu.pc === null"), "Ada's page still has a peer connection");
        Assert.Equal("closed", await ada.ConnectionStateAsync());
        Assert.Equal("Disconnected", await ada.Page.GetByTestId("connection-state").TextContentAsync());
        Assert.True(await ada.Page.GetByTestId("error-banner").IsVisibleAsync(), $"the banner is hidden; Ada's page: {await ada.Page.EvaluateAsync<string>("() => JSON.stringify(window.outcomes)")}");
        Assert.Equal(gaveUp, await ada.Page.GetByTestId("error-banner").TextContentAsync());

        // What the page tells her to do works: after a reload she is back in the call.
        await ada.Page.ReloadAsync();
        await DecodingEachOtherAsync(ada, bob, " after Ada's reload", cancel);
        Assert.Equal(["Ada"], await bob.RemoteTileNamesAsync());
        Assert.Equal(9, (await JoinsSeenAsync(bob)).Length);
        Assert.False(await ada.Page.GetByTestId("error-banner").IsVisibleAsync(), "the banner still shows after the reload");
    }
}
