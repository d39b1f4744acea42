namespace Sfu.Bots;

/// <summary>
/// One second of a tone, encoded once and replayed: every bot that publishes the same tone at the
/// same bitrate sends the same fifty Opus packets in a loop instead of running an encoder of its
/// own. A load run's hundred publishers would otherwise spend most of a core encoding, on the
/// machine whose cores the server under test needs. A tone of a whole number of hertz has a whole
/// number of cycles in a second, so the loop has no seam and decodes as one clean tone.
/// </summary>
internal sealed class OpusToneLoop
{
    private const int FramesPerLoop = 50;

    private static readonly Dictionary<(double Frequency, int Bitrate), OpusToneLoop> Loops = [];
    private static readonly Lock LoopsGate = new();

    private readonly byte[][] _frames;

    private OpusToneLoop(double frequency, int bitrate)
    {
        var encoder = new OpusToneEncoder(frequency, bitrate);
        var buffer = new byte[OpusToneEncoder.MaxPacketLength];
        _frames = new byte[FramesPerLoop][];
        for (int i = 0; i < _frames.Length; i++)
        {
            _frames[i] = buffer.AsSpan(0, encoder.EncodeNextFrame(buffer)).ToArray();
        }
    }

    /// <summary>The loop for this tone, encoded by the first caller and shared with the rest.</summary>
    public static OpusToneLoop For(double frequency, int bitrate)
    {
        lock (LoopsGate)
        {
            if (!Loops.TryGetValue((frequency, bitrate), out OpusToneLoop? loop))
            {
                loop = new OpusToneLoop(frequency, bitrate);
                Loops.Add((frequency, bitrate), loop);
            }

            return loop;
        }
    }

    /// <summary>Copies frame <paramref name="index"/> of the endless loop into <paramref name="destination"/>; returns its length.</summary>
    public int CopyFrame(long index, Span<byte> destination)
    {
        byte[] frame = _frames[index % _frames.Length];
        frame.CopyTo(destination);
        return frame.Length;
    }
}
