using System.Text.Json;

namespace Sfu.Browser.Tests;

/// <summary>
/// What a page receives, read from its SfuClient's RTCPeerConnection statistics (the same
/// W3C webrtc-stats fields in Chromium and Firefox): decoded frames, packets and audio energy
/// per inbound-rtp entry, each measured as growth over a one-second window.
/// </summary>
public static class MediaProbe
{
    /// <summary>The inbound-rtp counters of window.sfu.pc (the page's SfuClient).</summary>
    private const string InboundStatsScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return [];
          const report = await pc.getStats();
          const rows = [];
          report.forEach((s) => {
            if (s.type === 'inbound-rtp') {
              const codec = s.codecId ? report.get(s.codecId)?.mimeType ?? '' : '';
              rows.push({ id: s.id, kind: s.kind ?? '', frames: s.framesDecoded ?? 0, packets: s.packetsReceived ?? 0, codec });
            }
          });
          return rows;
        }
        """;

    private const string AudioEnergyScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return 0;
          const report = await pc.getStats();
          let energy = 0;
          report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'audio') energy += s.totalAudioEnergy ?? 0; });
          return energy;
        }
        """;

    private const string RemoteTileNamesScript = """
        () => [...document.querySelectorAll('[data-testid=participant-tile]:not([data-local])')].map(t => t.dataset.name ?? '')
        """;

    private static readonly TimeSpan GrowthWindow = TimeSpan.FromSeconds(1);

    /// <summary>The inbound-rtp entries of the page's peer connection right now.</summary>
    public static async Task<IReadOnlyList<InboundRtpSample>> InboundRtpAsync(this IMediaPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        JsonElement rows = await page.CallAsync<JsonElement>(InboundStatsScript);
        var samples = new List<InboundRtpSample>();
        foreach (JsonElement row in rows.EnumerateArray())
        {
            samples.Add(new InboundRtpSample(
                row.GetProperty("id").GetString() ?? "",
                row.GetProperty("kind").GetString() ?? "",
                row.GetProperty("frames").GetDouble(),
                row.GetProperty("packets").GetDouble(),
                row.GetProperty("codec").GetString() ?? ""));
        }

        return samples;
    }

    /// <summary>The remote tracks of <paramref name="kind"/> that made progress over a one-second window (video: framesDecoded, audio: packetsReceived).</summary>
    public static async Task<IReadOnlyList<InboundRtpSample>> GrowingRemoteTracksAsync(this IMediaPage page, string kind)
    {
        IReadOnlyList<InboundRtpSample> before = await page.InboundRtpAsync();
        await Task.Delay(GrowthWindow, TestContext.Current.CancellationToken);
        IReadOnlyList<InboundRtpSample> after = await page.InboundRtpAsync();
        return [.. after.Where(now => now.Kind == kind && before.Any(then => then.Id == now.Id && now.GrewSince(then)))];
    }

    /// <summary>How many remote tracks of <paramref name="kind"/> made progress over a one-second window.</summary>
    public static async Task<int> CountGrowingRemoteTracksAsync(this IMediaPage page, string kind)
        => (await page.GrowingRemoteTracksAsync(kind)).Count;

    /// <summary>Remote video tracks whose framesDecoded grows.</summary>
    public static Task<int> CountDecodingRemoteVideoAsync(this IMediaPage page) => page.CountGrowingRemoteTracksAsync("video");

    /// <summary>Remote audio tracks whose packetsReceived grows.</summary>
    public static Task<int> CountReceivingRemoteAudioAsync(this IMediaPage page) => page.CountGrowingRemoteTracksAsync("audio");

    /// <summary>Audio energy (inbound-rtp totalAudioEnergy over all remote audio) received over a one-second window.</summary>
    public static async Task<double> ReceivedAudioEnergyAsync(this IMediaPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        double before = await page.CallAsync<double>(AudioEnergyScript);
        await Task.Delay(GrowthWindow, TestContext.Current.CancellationToken);
        return await page.CallAsync<double>(AudioEnergyScript) - before;
    }

    /// <summary>The names on the remote participant tiles (not our own tile), sorted.</summary>
    public static async Task<IReadOnlyList<string>> RemoteTileNamesAsync(this IMediaPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        string[] names = await page.CallAsync<string[]>(RemoteTileNamesScript);
        return [.. names.Order(StringComparer.Ordinal)];
    }
}
