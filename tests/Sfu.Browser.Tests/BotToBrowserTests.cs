using System.Text.Json;
using Sfu.Bots;

namespace Sfu.Browser.Tests;

/// <summary>
/// A C# bot and Chromium in one room: the bot's Opus tone, forwarded by the SFU, is decoded by
/// the browser and heard at the bot's frequency.
/// </summary>
public sealed class BotToBrowserTests(SfuServerFixture server, BrowserFixture browser)
{
    private const double ToneHz = 880;

    /// <summary>Bin width of the analyser at 48 kHz with 8192 points is ~5.9 Hz; allow a few bins.</summary>
    private const double ToleranceHz = 20;

    private static readonly TimeSpan MediaDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The inbound-rtp audio entry of the page's peer connection (packets and decoded energy).</summary>
    private const string InboundAudioScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return { packets: 0, lost: 0, energy: 0 };
          const report = await pc.getStats();
          let row = { packets: 0, lost: 0, energy: 0 };
          report.forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'audio') {
              row = { packets: s.packetsReceived ?? 0, lost: s.packetsLost ?? 0, energy: s.totalAudioEnergy ?? 0 };
            }
          });
          return row;
        }
        """;

    /// <summary>
    /// Feeds the bot's remote audio track into an AnalyserNode for a second and returns the
    /// strongest frequency between 100 Hz and 4 kHz, its level, and the median level (the floor).
    /// </summary>
    private const string AnalyseToneScript = """
        async (participantId) => {
          const stream = window.sfu?.remoteStreams.get(participantId);
          const tracks = stream ? stream.getAudioTracks() : [];
          if (tracks.length === 0) return { frequency: 0, peak: -1000, floor: 0, error: 'no remote audio track' };
          const context = new AudioContext();
          await context.resume();
          const analyser = context.createAnalyser();
          analyser.fftSize = 8192;
          analyser.smoothingTimeConstant = 0.5;
          context.createMediaStreamSource(new MediaStream(tracks)).connect(analyser);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const bins = new Float32Array(analyser.frequencyBinCount);
          analyser.getFloatFrequencyData(bins);
          const width = context.sampleRate / analyser.fftSize;
          const from = Math.ceil(100 / width), to = Math.floor(4000 / width);
          let best = from;
          for (let i = from; i < to; i++) if (bins[i] > bins[best]) best = i;
          const sorted = Array.from(bins.slice(from, to)).sort((a, b) => a - b);
          await context.close();
          return { frequency: best * width, peak: bins[best], floor: sorted[Math.floor(sorted.length / 2)], error: '' };
        }
        """;

    [Fact(Timeout = 120_000)]
    public async Task The_browser_receives_and_hears_the_tone_a_bot_publishes()
    {
        const string room = "bot-tone";
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant listener = await BrowserParticipant.JoinAsync(browser, server, room, "Listener");
        await using SfuBot bot = await SfuBot.ConnectAsync(
            server.BaseUri,
            new SfuBotOptions { Room = room, Name = "ToneBot", PublishVideo = false, ToneFrequency = ToneHz },
            cancel);

        // inbound-rtp: the tone arrives, nothing is lost on loopback, and it decodes to sound.
        JsonElement audio = await Eventually.UntilAsync(
            () => listener.Page.EvaluateAsync<JsonElement>(InboundAudioScript),
            row => row.GetProperty("packets").GetDouble() >= 100 && row.GetProperty("energy").GetDouble() > 0,
            MediaDeadline,
            "100 audio packets from the bot with decoded energy",
            cancel);
        Assert.Equal(0, audio.GetProperty("lost").GetDouble());

        // The remote track through an AnalyserNode: the strongest frequency is the bot's tone, well above the floor.
        JsonElement tone = await Eventually.UntilAsync(
            () => listener.Page.EvaluateAsync<JsonElement>(AnalyseToneScript, bot.ParticipantId),
            t => t.GetProperty("peak").GetDouble() > t.GetProperty("floor").GetDouble() + 30,
            MediaDeadline,
            "a clear tone on the bot's remote track",
            cancel);
        Assert.Equal("", tone.GetProperty("error").GetString());
        Assert.InRange(tone.GetProperty("frequency").GetDouble(), ToneHz - ToleranceHz, ToneHz + ToleranceHz);
    }
    /// <summary>
    /// Someone who joins and leaves within a moment must not leave a tile behind: here the page
    /// applies each server offer five seconds late (a slow device), and the bot leaves while the
    /// offer with its tracks waits, so they reach the page after the hub said the bot left. Before the fix the page showed them in a tile with no
    /// name that nothing removed.
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task A_participant_who_left_before_the_browser_applied_its_tracks_leaves_no_tile()
    {
        const string room = "bot-gone";
        const string DelayOffers = """
            (() => {
              const apply = RTCPeerConnection.prototype.setRemoteDescription;
              RTCPeerConnection.prototype.setRemoteDescription = async function (description) {
                if (!(window.delayOffers && description && description.type === 'offer')) {
                  return apply.apply(this, arguments);
                }
                window.delayedOffers = (window.delayedOffers ?? 0) + 1;
                await new Promise((resolve) => setTimeout(resolve, 5000));
                try {
                  return await apply.apply(this, arguments);
                } finally {
                  window.appliedOffers = (window.appliedOffers ?? 0) + 1;
                }
              };
            })();
            """;
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant bob = await BrowserParticipant.JoinWithScriptAsync(browser, server, room, "Bob", DelayOffers);
        await bob.Page.EvaluateAsync("() => { window.delayOffers = true; }");

        // The bot leaves while the offer with its tracks waits in Bob's page.
        SfuBot bot = await SfuBot.ConnectAsync(server.BaseUri, new SfuBotOptions { Room = room, Name = "Brief" }, cancel);
        string botId = bot.ParticipantId;
        await Eventually.UntilAsync(
            () => bob.Page.EvaluateAsync<int>("() => window.delayedOffers ?? 0"),
            count => count >= 1,
            TimeSpan.FromSeconds(20),
            "Bob to be offered the bot's tracks",
            cancel);
        int pending = await bob.Page.EvaluateAsync<int>("() => (window.delayedOffers ?? 0) - (window.appliedOffers ?? 0)");
        await bot.DisposeAsync();
        Assert.True(pending > 0, "the offer with the bot's tracks was applied before the bot left: the race this test needs did not happen");

        // Every offer the server sends Bob about the bot (its tracks, then maybe their removal:
        // how many depends on how the join and the leave fell) is applied, and none follows for
        // three seconds.
        string settled = await SettledOffersAsync(bob, cancel);

        IReadOnlyList<string> tiles = await bob.RemoteTileNamesAsync();
        int botTiles = await bob.Page.EvaluateAsync<int>(
            "(id) => document.querySelectorAll(`[data-testid=participant-tile][data-participant-id=\"${id}\"]`).length", botId);
        Assert.True(tiles.Count == 0 && botTiles == 0, $"Bob shows remote tiles [{string.Join(", ", tiles.Select(t => $"'{t}'"))}], {botTiles} of them the bot's (offers: {settled})");
    }

    /// <summary>Waits until the page has applied every delayed offer it was given and no new one came for 3 s; returns the counts.</summary>
    private static async Task<string> SettledOffersAsync(BrowserParticipant page, CancellationToken cancel)
    {
        const string Offers = "() => `${window.delayedOffers ?? 0} offered, ${window.appliedOffers ?? 0} applied, ${window.sfu?.pc?.signalingState ?? 'none'}`";
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        string last = "";
        DateTime since = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            string now = await page.Page.EvaluateAsync<string>(Offers);
            if (now != last)
            {
                last = now;
                since = DateTime.UtcNow;
            }

            string[] parts = now.Split(' ');
            bool settled = parts[0] != "0" && parts[0] == parts[2] && now.EndsWith("stable", StringComparison.Ordinal);
            if (settled && DateTime.UtcNow - since >= TimeSpan.FromSeconds(3))
            {
                return now;
            }

            await Task.Delay(250, cancel);
        }

        Assert.Fail($"Bob's offers did not settle within 40 s: {last}");
        return last;
    }
}
