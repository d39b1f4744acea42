using System.Globalization;

namespace Sfu.LoadTest;

/// <summary>
/// How the server met a downlink limit: medians over the shaped subscribers of their estimate
/// before and at the end, the seconds until the estimate first fell to the limit or under, what
/// arrived (SRTP bytes, IP and UDP headers not counted) over the second half of the limited time,
/// and, when the limit lifted, the seconds until the estimate climbed past twice the limit.
/// </summary>
internal sealed record DownlinkSummary
{
    public required long Limit { get; init; }

    public required int Subscribers { get; init; }

    public required double EstimateBefore { get; init; }

    public required double EstimateAtEnd { get; init; }

    public required double SecondsToEstimateUnderLimit { get; init; }

    public required double MaxSecondsToEstimateUnderLimit { get; init; }

    /// <summary>Subscribers whose estimate never reached the limit in the window.</summary>
    public required int NeverUnderLimit { get; init; }

    public required double ReceivedWhileLimited { get; init; }

    /// <summary>Packets the shaped queues dropped (they would have waited over 500 ms), all subscribers.</summary>
    public required long DroppedByLink { get; init; }

    /// <summary>Seconds from shaping to the lift; NaN when the limit held to the end.</summary>
    public required double LiftedAfter { get; init; }

    public required double SecondsToRecover { get; init; }

    public required double MaxSecondsToRecover { get; init; }

    public required int NeverRecovered { get; init; }

    public string Describe()
    {
        string limited = string.Create(
            CultureInfo.InvariantCulture,
            $"downlink limit {Limit / 1000} kbit/s on {Subscribers} subscribers (medians): estimate {EstimateBefore / 1000:0} → {EstimateAtEnd / 1000:0} kbit/s, under the limit after {SecondsToEstimateUnderLimit:0.0} s (slowest {MaxSecondsToEstimateUnderLimit:0.0} s, {NeverUnderLimit} never), received {ReceivedWhileLimited / 1000:0} kbit/s over the second half of the limited time ({ReceivedWhileLimited / Limit:P0} of the limit), {DroppedByLink} packets dropped by the shaped links");
        return double.IsNaN(LiftedAfter) ? limited : limited + string.Create(
            CultureInfo.InvariantCulture,
            $"; lifted after {LiftedAfter:0.0} s, estimate past twice the limit {SecondsToRecover:0.0} s later (slowest {MaxSecondsToRecover:0.0} s, {NeverRecovered} never)");
    }
}
