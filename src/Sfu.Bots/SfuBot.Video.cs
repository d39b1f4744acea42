using System.Security.Cryptography;
using Microsoft.AspNetCore.SignalR.Client;

namespace Sfu.Bots;

public sealed partial class SfuBot
{
    /// <summary>The simulcast ladder, lowest first: rid, key frame size, share of the top bitrate as a right shift.</summary>
    private static readonly (string Rid, int Width, int Height, int BitrateShift)[] SimulcastLadder =
    [
        ("q", 320, 180, 4),
        ("h", 640, 360, 2),
        ("f", 1280, 720, 0),
    ];

    /// <summary>mid and rid cost 2 bytes each here (1-byte values) plus the 4-byte block header.</summary>
    private const int StreamIdBlockLength = 8;

    private int _videoMidId;
    private int _videoRidId;

    /// <summary>The encodings sent as simulcast, or null for one plain stream.</summary>
    private IReadOnlyList<VideoEncoding>? SimulcastEncodings => _options.Simulcast ? _videoEncodings : null;

    /// <summary>
    /// Tells the SFU the size at which this bot shows the video of <paramref name="track"/>, as a
    /// browser reports its tile (0 × 0: not shown, which pauses it); with simulcast the SFU then
    /// forwards the smallest layer at least that large.
    /// </summary>
    public Task SetVideoSizeAsync(RemoteTrack track, int width, int height, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(track);
        return RequireHub().InvokeAsync("SetVideoSize", track.Mid, width, height, cancellationToken);
    }

    /// <summary>Pins the simulcast layer (by rid) the SFU forwards in <paramref name="track"/>; null goes back to the choice by size.</summary>
    public Task SetVideoLayerAsync(RemoteTrack track, string? rid, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(track);
        return RequireHub().InvokeAsync("SetVideoLayer", track.Mid, rid, cancellationToken);
    }

    private static VideoEncoding[] CreateVideoEncodings(SfuBotOptions options, uint topSsrc)
    {
        if (!options.Simulcast)
        {
            return [NewEncoding(topSsrc, null, Vp8SyntheticPayload.DefaultWidth, Vp8SyntheticPayload.DefaultHeight, options.VideoBitrate)];
        }

        var encodings = new VideoEncoding[SimulcastLadder.Length];
        for (int i = 0; i < encodings.Length; i++)
        {
            (string rid, int width, int height, int shift) = SimulcastLadder[i];
            uint ssrc = i == encodings.Length - 1 ? topSsrc : RandomSsrc();
            encodings[i] = NewEncoding(ssrc, rid, width, height, options.VideoBitrate >> shift);
        }

        return encodings;
    }

    // Each stream its own random sequence and timestamp start (RFC 3550 §5.1), as each of a browser's encoders has.
    private static VideoEncoding NewEncoding(uint ssrc, string? rid, int width, int height, int bitrate)
        => new(ssrc, rid, width, height, bitrate, (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue), (uint)RandomUInt64());

    private HubConnection RequireHub() => _hub ?? throw new InvalidOperationException("This bot has no SFU hub.");

    private VideoEncoding? FindEncoding(uint ssrc)
    {
        foreach (VideoEncoding encoding in _videoEncodings)
        {
            if (encoding.Ssrc == ssrc)
            {
                return encoding;
            }
        }

        return null;
    }

    /// <summary>
    /// Dynacast: the SFU names the encodings of our video someone watches; the others stop
    /// until named again, as a browser sets encodings[i].active = false.
    /// </summary>
    private void OnLayersChanged(string mid, string[] activeRids)
    {
        if (!_options.Simulcast || mid != BotSdp.VideoMid || activeRids is null)
        {
            return;
        }

        foreach (VideoEncoding encoding in _videoEncodings)
        {
            encoding.SetActive(Array.IndexOf(activeRids, encoding.Rid) >= 0);
        }
    }

    /// <summary>One frame on every active encoding: the same picture at each layer's size and bitrate.</summary>
    private void SendVideoFrame()
    {
        uint frame = _frameNumber++;
        int interval = Math.Max(1, _options.KeyframeInterval);
        int frameRate = Math.Max(1, _options.VideoFrameRate);
        bool scheduledKeyframe = frame % interval == 0;
        long ticks = (long)((ulong)frame * 90000UL / (ulong)frameRate);
        bool anySent = false;
        bool anyKeyframe = false;
        foreach (VideoEncoding encoding in _videoEncodings)
        {
            if (!encoding.IsActive)
            {
                continue;
            }

            bool keyframe = encoding.TakeKeyframeRequest() | scheduledKeyframe;
            SendVideoFrame(encoding, frame, keyframe, encoding.TimestampBase + (uint)ticks, frameRate);
            anySent = true;
            anyKeyframe |= keyframe;
        }

        if (anySent)
        {
            Interlocked.Increment(ref _videoFrames);
        }

        if (anyKeyframe)
        {
            Interlocked.Increment(ref _keyframes);
        }
    }

    private void SendVideoFrame(VideoEncoding encoding, uint frame, bool keyframe, uint timestamp, int frameRate)
    {
        // Until the SFU's receiver report names the SSRC, every packet says which mid and rid it belongs to (RFC 8852 §3).
        bool streamIds = encoding.Rid is not null && !encoding.IsAcknowledged;
        int frameLength = Math.Max(encoding.Bitrate / frameRate / 8, Vp8SyntheticPayload.MinPayloadLength);
        int maxPayload = Math.Max(
            _options.MaxVideoPacketSize - RtpPacketWriter.FixedHeaderLength - (streamIds ? StreamIdBlockLength : 0),
            Vp8SyntheticPayload.MinPayloadLength);
        int packets = (frameLength + maxPayload - 1) / maxPayload;

        // Spread the frame evenly so no packet falls under the smallest layout.
        int baseLength = frameLength / packets;
        int remainder = frameLength % packets;
        for (int i = 0; i < packets; i++)
        {
            int length = baseLength + (i < remainder ? 1 : 0);
            bool last = i == packets - 1;
            ushort sequence = encoding.NextSequence++;
            int header = streamIds
                ? RtpPacketWriter.WriteHeader(_sendBuffer, BotSdp.Vp8PayloadType, last, sequence, timestamp, encoding.Ssrc, _videoMidId, BotSdp.VideoMidBytes, _videoRidId, encoding.RidBytes)
                : RtpPacketWriter.WriteHeader(_sendBuffer, BotSdp.Vp8PayloadType, last, sequence, timestamp, encoding.Ssrc, 0, 0);
            Vp8SyntheticPayload.Write(_sendBuffer.AsSpan(header), length, i == 0, keyframe, frameLength, BotClock.NowMicroseconds(), frame, encoding.Width, encoding.Height);
            if (ProtectRtpAndSend(header + length))
            {
                Interlocked.Increment(ref _videoPackets);
                encoding.CountPacket();
            }
        }

        encoding.CountFrame(keyframe);
    }
}
