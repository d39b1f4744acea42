using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.SignalR;
using Sfu.Core.Diagnostics;

namespace Sfu.Host.Signaling;

/// <summary>
/// Refuses a hub call with a message the client can show, and counts it on the server's meter:
/// <c>sfu.signaling.refused</c> by reason, and <c>sfu.chat.notices.coalesced</c> for join and
/// leave notices folded into a summary line. No tag carries a name, room or id.
/// </summary>
public sealed class Refusals
{
    private static readonly KeyValuePair<string, object?>[] Tags =
        [.. Enum.GetValues<RefusalReason>().Select(r => new KeyValuePair<string, object?>("reason", TagOf(r)))];

    private readonly Counter<long> _refused;
    private readonly Counter<long> _coalesced;

    public Refusals(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter meter = meters.Create(SfuMetrics.MeterName);
        _refused = meter.CreateCounter<long>("sfu.signaling.refused", "{call}", "Hub calls refused by a limit or an access rule, by reason");
        _coalesced = meter.CreateCounter<long>("sfu.chat.notices.coalesced", "{notice}", "Join and leave notices folded into a summary line under churn");
    }

    /// <summary>Counts the refusal and returns the exception to throw; its message reaches the client.</summary>
    public HubException Refuse(RefusalReason reason, string message)
    {
        _refused.Add(1, Tags[(int)reason]);
        return new HubException(message);
    }

    public void NoticeCoalesced() => _coalesced.Add(1);

    /// <summary>The tag value: the reason in snake case (NameTaken → name_taken).</summary>
    public static string TagOf(RefusalReason reason)
        => string.Concat(reason.ToString().Select((c, i) => char.IsUpper(c) ? (i == 0 ? "" : "_") + char.ToLowerInvariant(c) : c.ToString()));
}
