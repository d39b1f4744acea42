namespace Sfu.Core.Routing;

/// <summary>
/// Picks a room's dominant speaker from per-participant loudness samples taken at a fixed
/// interval. Pure: no clock, no I/O; the caller feeds one sample set per tick.
/// <para>
/// Each participant's loudness is smoothed (exponential moving average), so a single loud
/// packet does not steal the floor and the gaps between words do not drop it. A challenger
/// takes over only when it is above the speaking threshold and louder than the current
/// speaker by a margin for <see cref="ActiveSpeakerSettings.TicksToSwitch"/> ticks in a row
/// (hysteresis). When everyone is quiet the last speaker stays dominant, as in the meeting
/// apps people know; a speaker who leaves stops being dominant at once.
/// </para>
/// </summary>
public sealed class ActiveSpeakerDetector(ActiveSpeakerSettings settings)
{
    private readonly Dictionary<string, double> _scores = new(StringComparer.Ordinal);
    private readonly HashSet<string> _present = new(StringComparer.Ordinal);
    private string? _challenger;
    private int _challengerTicks;

    public ActiveSpeakerDetector()
        : this(ActiveSpeakerSettings.Default)
    {
    }

    /// <summary>The current dominant speaker's id, or null before anyone spoke.</summary>
    public string? Dominant { get; private set; }

    /// <summary>The smoothed loudness of a participant (0 when unknown).</summary>
    public double ScoreOf(string participantId) => _scores.GetValueOrDefault(participantId);

    /// <summary>Feeds one tick's samples; participants absent from them have left. True when <see cref="Dominant"/> changed.</summary>
    public bool Update(IReadOnlyList<SpeakerSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        string? before = Dominant;
        Forget(samples);

        string? loudest = null;
        double loudestScore = double.MinValue;
        foreach (SpeakerSample sample in samples)
        {
            double previous = _scores.GetValueOrDefault(sample.ParticipantId);
            double score = previous + (settings.Smoothing * (sample.Loudness - previous));
            _scores[sample.ParticipantId] = score;
            if (score > loudestScore)
            {
                loudest = sample.ParticipantId;
                loudestScore = score;
            }
        }

        if (loudest is null || loudestScore < settings.SpeakingThreshold)
        {
            ResetChallenger();
        }
        else if (Dominant is null)
        {
            Dominant = loudest;
            ResetChallenger();
        }
        else if (loudest == Dominant || loudestScore < ScoreOf(Dominant) + settings.SwitchMargin)
        {
            ResetChallenger();
        }
        else
        {
            _challengerTicks = loudest == _challenger ? _challengerTicks + 1 : 1;
            _challenger = loudest;
            if (_challengerTicks >= settings.TicksToSwitch)
            {
                Dominant = loudest;
                ResetChallenger();
            }
        }

        return !string.Equals(before, Dominant, StringComparison.Ordinal);
    }

    private void Forget(IReadOnlyList<SpeakerSample> present)
    {
        // One pass over each side (a room of a thousand listeners is a thousand samples a tick):
        // the set is kept between ticks, so a tick allocates only when someone has left.
        _present.Clear();
        foreach (SpeakerSample sample in present)
        {
            _present.Add(sample.ParticipantId);
        }

        List<string>? gone = null;
        foreach (string id in _scores.Keys)
        {
            if (!_present.Contains(id))
            {
                (gone ??= []).Add(id);
            }
        }

        foreach (string id in gone ?? [])
        {
            _scores.Remove(id);
        }

        if (Dominant is not null && !_present.Contains(Dominant))
        {
            Dominant = null;
        }
    }

    private void ResetChallenger()
    {
        _challenger = null;
        _challengerTicks = 0;
    }
}

/// <summary>One participant's mean loudness over a tick (0 silence .. 127 loudest).</summary>
public readonly record struct SpeakerSample(string ParticipantId, int Loudness);

/// <summary>Tuning of <see cref="ActiveSpeakerDetector"/>.</summary>
/// <param name="Smoothing">Weight of the newest sample in the moving average (0..1].</param>
/// <param name="SpeakingThreshold">Smoothed loudness below which nobody counts as speaking.</param>
/// <param name="SwitchMargin">How much louder than the current speaker a challenger must be.</param>
/// <param name="TicksToSwitch">Consecutive ticks a challenger must lead before it takes over.</param>
public sealed record ActiveSpeakerSettings(double Smoothing, double SpeakingThreshold, double SwitchMargin, int TicksToSwitch)
{
    /// <summary>Tuned for 300 ms ticks: about a second of sustained sound to take the floor.</summary>
    public static ActiveSpeakerSettings Default { get; } = new(Smoothing: 0.5, SpeakingThreshold: 20, SwitchMargin: 8, TicksToSwitch: 2);
}
