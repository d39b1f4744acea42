using Sfu.Core.Rtp;

namespace Sfu.Core.Routing;

/// <summary>
/// How loud a publisher's audio was since the last look, read from the RFC 6464
/// client-to-mixer audio level header extension without decoding any audio.
/// <code>
///  0                   1
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ID   | len=0 |V| level       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// level is -dBov, 0 (loudest) to 127 (silence), RFC 6464 §3. We keep the loudness
/// 127 - level so that silence sums to zero. The media path writes two ints per packet;
/// the speaker detector's timer takes and resets them. A torn read between the two fields
/// costs at most one packet's worth of accuracy, which a 300 ms average does not notice.
/// </summary>
public sealed class AudioLevelMeter
{
    /// <summary>The loudest value: 127 - level for level 0 dBov.</summary>
    public const int MaxLoudness = 127;

    private readonly byte _extensionId;
    private int _loudnessSum;
    private int _samples;

    public AudioLevelMeter(byte extensionId)
    {
        _extensionId = extensionId;
    }

    /// <summary>The publisher's local id for ssrc-audio-level.</summary>
    public byte ExtensionId => _extensionId;

    /// <summary>Reads the level of one packet, if it carries one. Allocation-free.</summary>
    public void Observe(in RtpPacket packet)
    {
        if (packet.TryGetExtension(_extensionId, out ReadOnlySpan<byte> value) && value.Length >= 1)
        {
            int level = value[0] & 0x7F;
            _loudnessSum += MaxLoudness - level;
            _samples++;
        }
    }

    /// <summary>The mean loudness (0 silence .. 127 loudest) since the last call, and how many packets it covers; resets.</summary>
    public AudioLevelSample Take()
    {
        int samples = Interlocked.Exchange(ref _samples, 0);
        int sum = Interlocked.Exchange(ref _loudnessSum, 0);
        return samples == 0 ? default : new AudioLevelSample(Math.Clamp(sum / samples, 0, MaxLoudness), samples);
    }
}

/// <summary>A mean loudness (0 silence .. 127 loudest) over <see cref="Packets"/> packets; no packets means no audio.</summary>
public readonly record struct AudioLevelSample(int Loudness, int Packets)
{
    public bool HasAudio => Packets > 0;
}
