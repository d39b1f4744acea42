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
}
