using Sfu.Core.Congestion;
using Sfu.Core.Rtcp;

namespace Sfu.Core.Feedback;

/// <summary>
/// What the path to one subscriber carries: its transport-wide feedback on our packets
/// (<see cref="TransportCcSender"/>) through a <see cref="BandwidthEstimator"/>, or, from a
/// subscriber that sends none, its REMB. <see cref="Changed"/> fires when the estimate moves
/// by a tenth or more, so the stream allocator re-runs; it runs anyway once a second.
/// Media path (feedback arrives there); readers on other threads see the latest value.
/// </summary>
public sealed class DownlinkBandwidth(TimeProvider time, BandwidthEstimatorOptions? options = null)
{
    private const int MaxResults = 512;

    private readonly BandwidthEstimator _estimator = new(options);
    private long _announced = -1;
    private long _target = (options ?? new BandwidthEstimatorOptions()).Initial;
    private bool _sawTransportFeedback;
    private volatile bool _hasEstimate;

    public TransportCcSender Sender { get; } = new(time);

    /// <summary>Probes for more bandwidth when the subscriber wants more than the estimate.</summary>
    public ProbeController Probe { get; } = new(time);

    /// <summary>Bits per second we may send this subscriber.</summary>
    public long Target => Volatile.Read(ref _target);

    /// <summary>Whether the estimate comes from transport-wide feedback (else REMB, or still the initial value).</summary>
    public bool FromTransportFeedback => _sawTransportFeedback;

    /// <summary>
    /// True once the subscriber sent feedback to estimate from. A receiver that sends none (a
    /// bot, a stack without congestion control) is not limited: we know nothing of its path.
    /// </summary>
    public bool HasEstimate => _hasEstimate;

    public BandwidthUsage Usage => _estimator.Usage;

    public double LossFraction => _estimator.LossFraction;

    /// <summary>What reached the subscriber and what we sent, bits per second, over the estimator's window; for diagnostics.</summary>
    public long AckedBitrate => _estimator.AckedBitrate;

    public long SentBitrate => _estimator.SentBitrate;

    /// <summary>Overuse cuts so far; for diagnostics.</summary>
    public int Decreases => _estimator.Decreases;

    /// <summary>The estimate moved by 10 % or more since it was last announced.</summary>
    public event Action<long>? Changed;

    public void OnFeedback(in TransportWideFeedback feedback, long now)
    {
        _sawTransportFeedback = true;
        Span<PacketResult> results = stackalloc PacketResult[MaxResults];
        int count = Sender.Resolve(feedback, results);
        if (count > 0)
        {
            _estimator.OnFeedback(results[..count], Sender.MicrosAt(now));
            int succeeded = Probe.Succeeded;
            long probed = Probe.OnResults(results[..count], _estimator.Usage);
            if (probed > 0)
            {
                _estimator.OnProbeResult(probed, saturated: Probe.Succeeded == succeeded);
            }

            Publish(_estimator.Target);
        }
    }

    /// <summary>
    /// What the stream allocator made of the estimate: when it held a video below what it asks
    /// for, <paramref name="wanted"/> is the budget its next step up needs (what it gave plus that
    /// step), and a probe finds out whether the path carries it; when it just paused a video,
    /// that probe comes within a second (<see cref="ProbeController.OnPaused"/>). Any thread.
    /// </summary>
    public void OnAllocated(long wanted, long allocated, bool shortOfWanted, bool paused)
    {
        if (paused)
        {
            Probe.OnPaused();
        }

        // Not while the path pushes back: a probe then only deepens the queue.
        if (_hasEstimate && shortOfWanted && _estimator.Usage != BandwidthUsage.Overusing)
        {
            Probe.Want(wanted, Target, allocated);
        }
    }

    /// <summary>A REMB from the subscriber: the estimate, unless it sends transport-wide feedback.</summary>
    public void OnRemb(long bitsPerSecond)
    {
        if (!_sawTransportFeedback && bitsPerSecond > 0)
        {
            _estimator.OnRemb(bitsPerSecond);
            Publish(_estimator.Target);
        }
    }

    private void Publish(long target)
    {
        _hasEstimate = true;
        Volatile.Write(ref _target, target);
        long announced = _announced;
        if (announced < 0 || Math.Abs(target - announced) * 10 >= announced)
        {
            _announced = target;
            Changed?.Invoke(target);
        }
    }
}
