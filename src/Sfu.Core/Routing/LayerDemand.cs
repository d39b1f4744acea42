namespace Sfu.Core.Routing;

/// <summary>
/// Dynacast: which layers of a simulcast track anyone still needs. A layer above every
/// subscriber's wanted layer (paused subscriptions count for nothing) for
/// <see cref="UnusedBeforePause"/> is paused at the publisher — its encoder stops, saving its
/// uplink and CPU — and is asked for again as soon as someone wants it. The lowest layer is
/// always kept, so a newcomer has something to start from. LiveKit waits the same five seconds.
/// A layer another node of the cluster wants (it has <see cref="ProducerLayer.RelayTargets"/>)
/// counts as wanted here: each node tells the track's node which layers its own subscribers want.
/// </summary>
public sealed class LayerDemand
{
    /// <summary>How long a layer must go unwanted before the publisher is asked to stop it.</summary>
    public static readonly TimeSpan UnusedBeforePause = TimeSpan.FromSeconds(5);

    private readonly Producer _producer;
    private readonly TimeProvider _time;
    private readonly long[] _unwantedSince;
    private readonly Lock _gate = new();

    internal LayerDemand(Producer producer, TimeProvider time)
    {
        _producer = producer;
        _time = time;
        _unwantedSince = new long[producer.Layers.Length];
    }

    /// <summary>The highest layer any active subscription wants; -1 when none does.</summary>
    public int HighestWanted
    {
        get
        {
            int highest = -1;
            foreach (DownTrack downTrack in _producer.DownTracks)
            {
                if (downTrack.IsForwarding)
                {
                    highest = Math.Max(highest, downTrack.WantedLayer);
                }
            }

            return highest;
        }
    }

    /// <summary>The highest layer another node wants relayed; -1 when none does.</summary>
    public int HighestRelayed
    {
        get
        {
            for (int i = _producer.Layers.Length - 1; i >= 0; i--)
            {
                if (!_producer.Layers[i].RelayTargets.IsEmpty)
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>
    /// Re-evaluates which layers the publisher should send; true (with the rids to keep) when that
    /// changed. Called on the housekeeping tick and whenever a subscriber's wish changes.
    /// </summary>
    public bool Update(out IReadOnlyList<string> activeRids)
    {
        activeRids = [];
        if (!_producer.IsSimulcast)
        {
            return false;
        }

        long now = _time.GetTimestamp();
        long pauseAfter = (long)(UnusedBeforePause.TotalSeconds * _time.TimestampFrequency);
        int highest = Math.Max(0, Math.Max(HighestWanted, HighestRelayed));
        bool changed = false;
        lock (_gate)
        {
            for (int i = 0; i < _producer.Layers.Length; i++)
            {
                ProducerLayer layer = _producer.Layers[i];
                if (i <= highest)
                {
                    _unwantedSince[i] = 0;
                    if (!layer.IsActive)
                    {
                        layer.SetActive(true);
                        changed = true;
                    }

                    continue;
                }

                if (_unwantedSince[i] == 0)
                {
                    _unwantedSince[i] = now;
                }
                else if (layer.IsActive && now - _unwantedSince[i] >= pauseAfter)
                {
                    layer.SetActive(false);
                    changed = true;
                }
            }

            if (changed)
            {
                activeRids = [.. _producer.Layers.Where(l => l.IsActive).Select(l => l.Rid!)];
            }
        }

        return changed;
    }
}
