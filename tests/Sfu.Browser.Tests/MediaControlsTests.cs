namespace Sfu.Browser.Tests;

/// <summary>Mic and camera toggles and device switches, all through the RTCRtpSender without renegotiation.</summary>
public sealed class MediaControlsTests(SfuServerFixture server, BrowserFixture browser)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Received audio energy per second below which the track counts as silent: an audio level
    /// under 0.001 (−60 dBFS). Decoded silence is not always exactly zero (the jitter buffer's
    /// concealment fades out), while the fake microphone's beep is orders of magnitude above this.
    /// </summary>
    private const double SilentEnergyPerSecond = 1e-6;

    [Fact(Timeout = 180_000)]
    public async Task Mic_off_shows_on_the_others_tile_and_their_received_audio_goes_silent()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "mic-room", "Ada", "&camera=off");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "mic-room", "Bob", "&camera=off&mic=off");
        await Eventually.UntilAsync(bob.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Bob to hear Ada's fake microphone", cancel);
        int negotiations = await NegotiationsAsync(ada);

        await ada.Page.GetByTestId("toggle-mic").ClickAsync();

        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-mic"), m => m == "off", Deadline, "Ada's tile at Bob to show the mic off", cancel);
        Assert.Equal("off", await ada.Page.Locator("[data-testid=participant-tile][data-local]").GetAttributeAsync("data-mic"));
        Assert.Equal("false", await ada.Page.GetByTestId("toggle-mic").GetAttributeAsync("aria-pressed"));
        await Eventually.UntilAsync(bob.ReceivedAudioEnergyAsync, e => e < SilentEnergyPerSecond, Deadline, "Bob's received audio to go silent", cancel);
        Assert.Equal(1, await bob.CountReceivingRemoteAudioAsync());

        await ada.Page.GetByTestId("toggle-mic").ClickAsync();
        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-mic"), m => m == "on", Deadline, "Ada's mic back on at Bob", cancel);
        await Eventually.UntilAsync(bob.ReceivedAudioEnergyAsync, e => e > 0, Deadline, "Bob to hear Ada again", cancel);
        Assert.Equal(negotiations, await NegotiationsAsync(ada));
    }

    [Fact(Timeout = 180_000)]
    public async Task Camera_off_stops_the_frames_at_the_others_and_camera_on_resumes_them()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "camera-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "camera-room", "Bob", "&camera=off");
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);
        int negotiations = await NegotiationsAsync(ada);

        await ada.Page.GetByTestId("toggle-camera").ClickAsync();
        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-camera"), c => c == "off", Deadline, "Ada's tile at Bob to show the camera off", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 0, Deadline, "Ada's frames to stop at Bob", cancel);
        Assert.True(await bob.Tile("Ada").Locator(".avatar").IsVisibleAsync(), "the placeholder shows instead of the video");

        await ada.Page.GetByTestId("toggle-camera").ClickAsync();
        await Eventually.UntilAsync(() => bob.Tile("Ada").GetAttributeAsync("data-camera"), c => c == "on", Deadline, "Ada's camera back on at Bob", cancel);
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada's frames to resume at Bob", cancel);
        Assert.Equal(negotiations, await NegotiationsAsync(ada));
    }

    [Fact(Timeout = 180_000)]
    public async Task Switching_camera_and_microphone_keeps_the_remote_video_flowing_without_renegotiation()
    {
        CancellationToken cancel = TestContext.Current.CancellationToken;
        await using BrowserParticipant ada = await BrowserParticipant.JoinAsync(browser, server, "device-room", "Ada");
        await using BrowserParticipant bob = await BrowserParticipant.JoinAsync(browser, server, "device-room", "Bob", "&camera=off");
        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Bob to decode Ada's camera", cancel);
        await Eventually.UntilAsync(() => ada.Page.GetByTestId("camera-select").Locator("option").CountAsync(), n => n >= 2, Deadline, "Ada's camera list", cancel);
        int negotiations = await NegotiationsAsync(ada);
        string before = await CurrentDeviceAsync(ada, "video");

        // Chromium's fake cameras: 0 is I420, 1 is Y16 (a depth format the encoder cannot take), 2 is MJPEG.
        string other = await ada.Page.GetByTestId("camera-select").EvaluateAsync<string>("s => s.options[s.options.length - 1].value");
        Assert.NotEqual(before, other);
        await ada.Page.GetByTestId("camera-select").SelectOptionAsync(other);
        await Eventually.UntilAsync(() => CurrentDeviceAsync(ada, "video"), d => d == other, Deadline, "Ada's camera to switch", cancel);

        string micBefore = await CurrentDeviceAsync(ada, "audio");
        string otherMic = await ada.Page.GetByTestId("mic-select").EvaluateAsync<string>(
            "(s, current) => [...s.options].map(o => o.value).find(v => v !== current)", micBefore);
        await ada.Page.GetByTestId("mic-select").SelectOptionAsync(otherMic);
        await Eventually.UntilAsync(() => CurrentDeviceAsync(ada, "audio"), d => d == otherMic, Deadline, "Ada's microphone to switch", cancel);

        await Eventually.UntilAsync(bob.CountDecodingRemoteVideoAsync, c => c == 1, Deadline, "Ada's video to keep flowing at Bob", cancel);
        await Eventually.UntilAsync(bob.CountReceivingRemoteAudioAsync, c => c == 1, Deadline, "Ada's audio to keep flowing at Bob", cancel);
        Assert.Equal(negotiations, await NegotiationsAsync(ada));
    }

    private static Task<int> NegotiationsAsync(BrowserParticipant p) => p.Page.EvaluateAsync<int>("() => window.sfu.negotiations");

    private static async Task<string> CurrentDeviceAsync(BrowserParticipant p, string media)
        => await p.Page.EvaluateAsync<string?>("m => window.sfu.currentDeviceId(m) ?? ''", media) ?? "";
}
