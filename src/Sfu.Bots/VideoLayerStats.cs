namespace Sfu.Bots;

/// <summary>What a bot has sent on one of its video encodings.</summary>
/// <param name="Rid">The simulcast rid (q, h, f), or null without simulcast.</param>
/// <param name="Ssrc">The encoding's SSRC.</param>
/// <param name="Width">The width its key frames declare.</param>
/// <param name="Height">The height its key frames declare.</param>
/// <param name="Active">False while the SFU has paused it (dynacast: nobody watches this layer).</param>
/// <param name="Packets">VP8 RTP packets sent.</param>
/// <param name="Frames">Frames sent.</param>
/// <param name="Keyframes">Key frames sent, scheduled or requested.</param>
/// <param name="KeyframeRequests">PLI and FIR messages received for this SSRC.</param>
public sealed record VideoLayerStats(
    string? Rid,
    uint Ssrc,
    int Width,
    int Height,
    bool Active,
    long Packets,
    long Frames,
    long Keyframes,
    long KeyframeRequests);
