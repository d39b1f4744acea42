using System.Text;

namespace Sfu.Bots;

/// <summary>
/// One RTP stream of the bot's synthetic video: the only one, or one simulcast encoding
/// (RFC 8853) named by its rid, with the frame size its key frames declare and its own
/// SSRC, sequence numbers and timestamp offset, as a browser's encoder gives each layer.
/// </summary>
/// <remarks>
/// Sequence numbers and the timestamp base are touched only under the bot's send gate; the
/// flags and counters are read and written from the receive thread and the hub callbacks.
/// </remarks>
internal sealed class VideoEncoding
{
    private int _keyframeRequested;
    private int _paused;
    private int _acknowledged;
    private long _packets;
    private long _frames;
    private long _keyframes;
    private long _keyframeRequests;

    public VideoEncoding(uint ssrc, string? rid, int width, int height, int bitrate, ushort firstSequence, uint timestampBase)
    {
        Ssrc = ssrc;
        Rid = rid;
        RidBytes = rid is null ? [] : Encoding.ASCII.GetBytes(rid);
        Width = width;
        Height = height;
        Bitrate = bitrate;
        NextSequence = firstSequence;
        TimestampBase = timestampBase;
    }

    public uint Ssrc { get; }

    /// <summary>The rid (RFC 8851) of a simulcast encoding; null without simulcast.</summary>
    public string? Rid { get; }

    public byte[] RidBytes { get; }

    public int Width { get; }

    public int Height { get; }

    public int Bitrate { get; }

    public ushort NextSequence { get; set; }

    public uint TimestampBase { get; }

    /// <summary>False while the SFU's dynacast has paused this encoding (nobody watches it).</summary>
    public bool IsActive => Volatile.Read(ref _paused) == 0;

    /// <summary>
    /// True once the SFU's receiver report named this SSRC: from then on it knows which
    /// rid the SSRC carries, and the packets stop repeating mid and rid (as libwebrtc does).
    /// </summary>
    public bool IsAcknowledged => Volatile.Read(ref _acknowledged) != 0;

    /// <summary>Pauses or resumes the encoding; true when that changed. A resumed encoding starts on a key frame.</summary>
    public bool SetActive(bool active)
    {
        bool changed = Interlocked.Exchange(ref _paused, active ? 0 : 1) != (active ? 0 : 1);
        if (changed && active)
        {
            RequestKeyframe();
        }

        return changed;
    }

    public void Acknowledge() => Volatile.Write(ref _acknowledged, 1);

    /// <summary>A PLI or FIR named this SSRC (RFC 4585 §6.3.1, RFC 5104 §4.3.1).</summary>
    public void OnKeyframeRequest()
    {
        Interlocked.Increment(ref _keyframeRequests);
        RequestKeyframe();
    }

    public void RequestKeyframe() => Interlocked.Exchange(ref _keyframeRequested, 1);

    public bool TakeKeyframeRequest() => Interlocked.Exchange(ref _keyframeRequested, 0) != 0;

    public void CountPacket() => Interlocked.Increment(ref _packets);

    public void CountFrame(bool keyframe)
    {
        Interlocked.Increment(ref _frames);
        if (keyframe)
        {
            Interlocked.Increment(ref _keyframes);
        }
    }

    public VideoLayerStats GetStats() => new(
        Rid,
        Ssrc,
        Width,
        Height,
        IsActive,
        Interlocked.Read(ref _packets),
        Interlocked.Read(ref _frames),
        Interlocked.Read(ref _keyframes),
        Interlocked.Read(ref _keyframeRequests));
}
