using System.Text.Json;

namespace Sfu.Browser.Tests;

/// <summary>One simulcast encoding as the publishing page sees it: its outbound-rtp counters and whether its encoding is active.</summary>
/// <remarks><see cref="Limitation"/> is qualityLimitationReason, the send-side bandwidth estimate and the layer's frame rate, for failure messages.</remarks>
public sealed record OutboundLayer(string Rid, double BytesSent, double FrameWidth, double FrameHeight, bool Active, string Limitation = "");

/// <summary>The remote camera a subscribing page decodes: inbound-rtp frame size, frames decoded and freezes.</summary>
public sealed record InboundVideo(double FrameWidth, double FrameHeight, double FramesDecoded, double FreezeCount);

/// <summary>What the simulcast tests read from a room page: the publisher's layers, a subscriber's decoded size, and its tile's size.</summary>
public static class SimulcastPage
{
    /// <summary>Per rid of the camera's sender: outbound-rtp bytes and frame size, and encodings[].active.</summary>
    private const string OutboundLayersScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return [];
          const sender = pc.getTransceivers().find((t) => t.sender.track?.kind === 'video')?.sender;
          if (!sender) return [];
          const active = new Map(sender.getParameters().encodings.map((e) => [e.rid ?? '', e.active !== false]));
          const report = await pc.getStats();
          let estimate = 0;
          report.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated) estimate = s.availableOutgoingBitrate ?? 0; });
          const rows = [];
          report.forEach((s) => {
            if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid !== undefined) {
              const limitation = `${s.qualityLimitationReason ?? ''} at ${Math.round(estimate / 1000)} kbit/s, ${s.framesPerSecond ?? 0} fps`;
              rows.push({ rid: s.rid, bytes: s.bytesSent ?? 0, width: s.frameWidth ?? 0, height: s.frameHeight ?? 0, active: active.get(s.rid) ?? true, limitation });
            }
          });
          return rows.sort((a, b) => a.rid.localeCompare(b.rid));
        }
        """;

    /// <summary>The one remote video the page receives (a publisher's camera): inbound-rtp size, frames, freezes.</summary>
    private const string InboundVideoScript = """
        async () => {
          const pc = window.sfu?.pc;
          if (!pc) return null;
          const report = await pc.getStats();
          let row = null;
          report.forEach((s) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video' && (row === null || (s.framesDecoded ?? 0) > row.frames)) {
              row = { width: s.frameWidth ?? 0, height: s.frameHeight ?? 0, frames: s.framesDecoded ?? 0, freezes: s.freezeCount ?? 0 };
            }
          });
          return row;
        }
        """;

    /// <summary>
    /// Sets the size (CSS pixels) of the video element of the named participant's tile, or of the
    /// first remote tile when no name is given, out of the grid's flow.
    /// </summary>
    private const string ResizeRemoteVideoScript = """
        ([width, height, name]) => {
          const tile = name ? `[data-testid=participant-tile][data-name="${name}"]` : '[data-testid=participant-tile]:not([data-local])';
          const video = document.querySelector(`${tile} video`);
          if (!video) return false;
          video.style.cssText = `position: fixed; left: 0; top: 0; width: ${width}px; height: ${height}px; z-index: 10`;
          return true;
        }
        """;

    public static async Task<IReadOnlyList<OutboundLayer>> OutboundLayersAsync(this IMediaPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        JsonElement rows = await page.CallAsync<JsonElement>(OutboundLayersScript);
        return [.. rows.EnumerateArray().Select(r => new OutboundLayer(
            r.GetProperty("rid").GetString() ?? "",
            r.GetProperty("bytes").GetDouble(),
            r.GetProperty("width").GetDouble(),
            r.GetProperty("height").GetDouble(),
            r.GetProperty("active").GetBoolean(),
            r.GetProperty("limitation").GetString() ?? ""))];
    }

    public static async Task<InboundVideo?> InboundVideoAsync(this IMediaPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        JsonElement row = await page.CallAsync<JsonElement>(InboundVideoScript);
        return row.ValueKind != JsonValueKind.Object
            ? null
            : new InboundVideo(row.GetProperty("width").GetDouble(), row.GetProperty("height").GetDouble(), row.GetProperty("frames").GetDouble(), row.GetProperty("freezes").GetDouble());
    }

    /// <summary>
    /// Shows a remote camera at <paramref name="width"/> × <paramref name="height"/> CSS pixels (the
    /// page's ResizeObserver reports it): <paramref name="of"/>'s, or the first remote tile's. Name
    /// it where the page has several remote tiles: which one comes first depends on whose tracks
    /// arrived first (a camera-off participant has a tile with a video element too).
    /// </summary>
    public static async Task ResizeRemoteVideoAsync(this IMediaPage page, int width, int height, string? of = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        Assert.True(await page.CallAsync<bool>(ResizeRemoteVideoScript, new object?[] { width, height, of }), $"{page.Name} shows no remote video{(of is null ? "" : " of " + of)} to resize");
    }
}
