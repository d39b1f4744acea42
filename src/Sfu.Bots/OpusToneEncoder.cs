using Concentus;
using Concentus.Enums;

namespace Sfu.Bots;

/// <summary>
/// A continuous sine tone cut into 20 ms frames and encoded with Opus (Concentus). The phase
/// carries over between frames, so the decoded stream is one clean tone.
/// </summary>
internal sealed class OpusToneEncoder
{
    public const int SampleRate = 48000;
    public const int FrameSamples = SampleRate / 50;
    public const int MaxPacketLength = 400;

    private readonly IOpusEncoder _encoder;
    private readonly short[] _pcm = new short[FrameSamples];
    private readonly double _phaseStep;
    private double _phase;

    public OpusToneEncoder(double frequency, int bitrate)
    {
        // Mono is fine: RFC 7587 §7 always signals opus/48000/2, and decoders accept mono streams.
        _encoder = OpusCodecFactory.CreateEncoder(SampleRate, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
        _encoder.Bitrate = bitrate;
        _phaseStep = 2.0 * Math.PI * frequency / SampleRate;
    }

    /// <summary>Encodes the next 20 ms of the tone into <paramref name="destination"/>; returns the packet length.</summary>
    public int EncodeNextFrame(Span<byte> destination)
    {
        for (int i = 0; i < _pcm.Length; i++)
        {
            _pcm[i] = (short)(Math.Sin(_phase) * 8000);
            _phase += _phaseStep;
        }

        // Keep the phase small so precision does not drift over a long run.
        _phase %= 2.0 * Math.PI;
        return _encoder.Encode(_pcm, FrameSamples, destination, Math.Min(destination.Length, MaxPacketLength));
    }
}
