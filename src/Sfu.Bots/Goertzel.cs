namespace Sfu.Bots;

/// <summary>
/// Goertzel's algorithm: the power of one frequency bin in a block of samples, at O(N) per
/// frequency. Scanning a range of frequencies finds the dominant tone of decoded audio.
/// </summary>
internal static class Goertzel
{
    public static double Power(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        double coefficient = 2.0 * Math.Cos(2.0 * Math.PI * frequency / sampleRate);
        double s1 = 0;
        double s2 = 0;
        foreach (short sample in samples)
        {
            double s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
        }

        return (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
    }

    /// <summary>The frequency in [<paramref name="low"/>, <paramref name="high"/>] (step <paramref name="step"/>) with the most power.</summary>
    public static double DominantFrequency(ReadOnlySpan<short> samples, int sampleRate, double low, double high, double step)
    {
        double best = double.NaN;
        double bestPower = -1;
        for (double f = low; f <= high; f += step)
        {
            double power = Power(samples, f, sampleRate);
            if (power > bestPower)
            {
                bestPower = power;
                best = f;
            }
        }

        return best;
    }
}
