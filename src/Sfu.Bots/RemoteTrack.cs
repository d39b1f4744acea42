using System.Diagnostics;
using Concentus;
using Sfu.Core;
using Sfu.Core.Negotiation;
using Sfu.Core.Rtcp;
using Sfu.Core.Rtp;

namespace Sfu.Bots;

/// <summary>
/// One track the SFU forwards to a bot: receive statistics (packets, loss, jitter, latency,
/// key frames) and, for audio, the decoded tone. Updated by the bot's receive loop; read
/// through <see cref="GetStats"/> and <see cref="DominantFrequency"/> from any thread.
/// </summary>
public sealed class RemoteTrack
{
    private const int PcmHistory = OpusToneEncoder.SampleRate / 5;

    private readonly Lock _gate = new();
    private readonly Unwrapper<ushort> _sequence = new();
    private readonly Unwrapper<uint> _timestamps = new();
    private readonly JitterEstimator _jitter;
    private readonly LatencyRecorder _latency = new();
    private readonly IOpusDecoder? _decoder;
    private readonly short[]? _pcmFrame;
    private readonly short[]? _pcm;
    private readonly int _absSendTimeId;
    private int _pcmNext;
    private int _pcmCount;

    private long _packets;
    private long _bytes;
    private long _firstSequence = -1;
    private long _frames;
    private long _keyframes;
    private long _late;
    private int _frameWidth;
    private int _frameHeight;
    private int _streamPartitionSize = -1;
    private long _framesWithoutReference;

    // RFC 3550 A.3: state for the fraction lost of the next report block.
    private long _expectedPrior;
    private long _receivedPrior;

    // RFC 3550 §6.4.1: LSR/DLSR come from the last sender report of this source.
    private uint _lastSenderReport;
    private long _lastSenderReportArrival;

    internal RemoteTrack(MediaKind kind, uint ssrc, string mid, string streamId, string trackId, int clockRate, int absSendTimeId, bool decodeAudio)
    {
        _absSendTimeId = absSendTimeId;
        Kind = kind;
        Ssrc = ssrc;
        Mid = mid;
        StreamId = streamId;
        TrackId = trackId;
        ClockRate = clockRate;
        _jitter = new JitterEstimator(clockRate);
        if (kind == MediaKind.Audio && decodeAudio)
        {
            _decoder = OpusCodecFactory.CreateDecoder(OpusToneEncoder.SampleRate, 1);
            _pcmFrame = new short[OpusToneEncoder.SampleRate * 120 / 1000];
            _pcm = new short[PcmHistory];
        }
    }

    public MediaKind Kind { get; }

    public uint Ssrc { get; }

    public string Mid { get; }

    public string StreamId { get; }

    public string TrackId { get; }

    public int ClockRate { get; }

    /// <summary>
    /// Packets received and expected so far, without the latency percentiles <see cref="GetStats"/>
    /// sorts for: cheap enough to read every second from hundreds of tracks.
    /// </summary>
    public (long Packets, long Expected) GetReceiveCounts()
    {
        lock (_gate)
        {
            return (_packets, _firstSequence < 0 ? 0 : _sequence.Highest - _firstSequence + 1);
        }
    }

    public RemoteTrackStats GetStats()
    {
        lock (_gate)
        {
            long expected = _firstSequence < 0 ? 0 : _sequence.Highest - _firstSequence + 1;
            return new RemoteTrackStats(
                Kind,
                Ssrc,
                StreamId,
                TrackId,
                _packets,
                _bytes,
                expected,
                expected - _packets,
                _jitter.JitterMilliseconds,
                _latency.Total,
                _latency.Percentile(50),
                _latency.Percentile(99),
                _frames,
                _keyframes,
                _late,
                _frameWidth,
                _frameHeight,
                _framesWithoutReference);
        }
    }

    /// <summary>The highest sequence number received so far (what a NACK of recent packets names).</summary>
    public ushort HighestSequenceNumber
    {
        get
        {
            lock (_gate)
            {
                return (ushort)_sequence.Highest;
            }
        }
    }

    /// <summary>Starts the latency percentiles afresh (a load run's measured window begins).</summary>
    public void ClearLatency()
    {
        lock (_gate)
        {
            _latency.Clear();
        }
    }

    /// <summary>
    /// Audio only: the strongest frequency (Goertzel scan, 5 Hz steps from 50 Hz to 4 kHz) in
    /// the last 200 ms of decoded audio; NaN before enough audio was decoded.
    /// </summary>
    public double DominantFrequency()
    {
        short[] window;
        lock (_gate)
        {
            if (_pcm is null || _pcmCount < _pcm.Length)
            {
                return double.NaN;
            }

            // Unroll the ring into time order (a snapshot, not the hot path).
            window = new short[_pcm.Length];
            int tail = _pcm.Length - _pcmNext;
            Array.Copy(_pcm, _pcmNext, window, 0, tail);
            Array.Copy(_pcm, 0, window, tail, _pcmNext);
        }

        return Goertzel.DominantFrequency(window, OpusToneEncoder.SampleRate, 50, 4000, 5);
    }

    internal void OnRtp(in RtpPacket packet, long arrivalTimestamp, long nowMicros)
    {
        lock (_gate)
        {
            long highestBefore = _sequence.Highest;
            long extended = _sequence.Unwrap(packet.SequenceNumber);
            if (extended <= highestBefore)
            {
                _late++;
            }

            if (_firstSequence < 0)
            {
                _firstSequence = extended;
            }

            _packets++;
            _bytes += packet.Payload.Length;
            long rtpTimestamp = _timestamps.Unwrap(packet.Timestamp);
            _jitter.Update((double)arrivalTimestamp / Stopwatch.Frequency, rtpTimestamp);
            if (Kind == MediaKind.Video)
            {
                OnVideo(packet, nowMicros);
            }
            else
            {
                OnAudio(packet, nowMicros);
            }
        }
    }

    internal void OnSenderReport(uint compactNtp, long arrivalTimestamp)
    {
        lock (_gate)
        {
            _lastSenderReport = compactNtp;
            _lastSenderReportArrival = arrivalTimestamp;
        }
    }

    /// <summary>Fills one RTCP report block for this source (RFC 3550 §6.4.1, A.3).</summary>
    internal ReportBlock CreateReportBlock(long now)
    {
        lock (_gate)
        {
            long highest = _sequence.Highest;
            long expected = _firstSequence < 0 ? 0 : highest - _firstSequence + 1;
            long lost = expected - _packets;
            long expectedInterval = expected - _expectedPrior;
            long receivedInterval = _packets - _receivedPrior;
            _expectedPrior = expected;
            _receivedPrior = _packets;
            long lostInterval = expectedInterval - receivedInterval;
            byte fraction = expectedInterval <= 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);

            // DLSR is in units of 1/65536 s since the last SR arrived; 0 when there was none.
            uint delay = _lastSenderReportArrival == 0
                ? 0
                : (uint)Math.Min(uint.MaxValue, (now - _lastSenderReportArrival) * 65536.0 / Stopwatch.Frequency);
            return new ReportBlock(
                Ssrc,
                fraction,
                (int)Math.Clamp(lost, -0x80_0000, 0x7F_FFFF),
                highest < 0 ? 0 : (uint)highest,
                (uint)_jitter.JitterUnits,
                _lastSenderReport,
                delay);
        }
    }

    private void OnVideo(in RtpPacket packet, long nowMicros)
    {
        if (packet.Marker)
        {
            _frames++;
        }

        if (Vp8SyntheticPayload.TryRead(packet.Payload, out long sent, out _, out bool keyframe))
        {
            _latency.Add((nowMicros - sent) / 1000.0);
        }

        if (VideoKeyframe.IsKeyframe(packet.Payload, VideoCodecKind.Vp8) || keyframe)
        {
            _keyframes++;
        }

        OnFrameStart(packet.Payload);
    }

    /// <summary>
    /// Reads the VP8 frame tag (RFC 6386 §9.1) of a packet that starts a frame: a key frame
    /// gives the picture size (§9.2), which is how a simulcast layer is told apart, and opens a
    /// stream; a delta frame must continue that stream. The first partition size tells streams
    /// apart: in the bots' synthetic VP8 every frame of one stream declares the same one, so a
    /// delta frame with another size came from another layer without a key frame in between,
    /// which no decoder could use.
    /// </summary>
    private void OnFrameStart(ReadOnlySpan<byte> payload)
    {
        int offset = Vp8Descriptor.FrameOffset(payload);
        if (offset < 0 || payload.Length < offset + Vp8SyntheticPayload.InterFrameHeaderLength)
        {
            return;
        }

        int tag = payload[offset] | (payload[offset + 1] << 8) | (payload[offset + 2] << 16);
        int partitionSize = tag >> 5;
        if ((tag & 0x01) == 0)
        {
            if (Vp8Descriptor.TryGetKeyframeSize(payload, out int width, out int height))
            {
                _frameWidth = width;
                _frameHeight = height;
            }

            _streamPartitionSize = partitionSize;
        }
        else if (partitionSize != _streamPartitionSize)
        {
            _framesWithoutReference++;
        }
    }

    private void OnAudio(in RtpPacket packet, long nowMicros)
    {
        if (_absSendTimeId != 0 && packet.TryGetExtension((byte)_absSendTimeId, out ReadOnlySpan<byte> value) && value.Length == AbsSendTime.Length)
        {
            uint sent = AbsSendTime.Read(value);
            uint now = AbsSendTime.FromMicroseconds(nowMicros);
            _latency.Add(AbsSendTime.ElapsedMicroseconds(sent, now) / 1000.0);
        }

        if (_decoder is null || _pcm is null || _pcmFrame is null)
        {
            return;
        }

        int samples;
        try
        {
            samples = _decoder.Decode(packet.Payload, _pcmFrame, _pcmFrame.Length, false);
        }
#pragma warning disable CA1031 // A corrupt Opus payload is data: skip it, the tone check will notice.
        catch (Exception)
#pragma warning restore CA1031
        {
            return;
        }
        for (int i = 0; i < samples; i++)
        {
            _pcm[_pcmNext] = _pcmFrame[i];
            _pcmNext = (_pcmNext + 1) % _pcm.Length;
        }

        _pcmCount = Math.Min(_pcm.Length, _pcmCount + Math.Max(samples, 0));
    }
}
