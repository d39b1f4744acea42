using Microsoft.Extensions.Options;

namespace Sfu.Host.Meeting;

/// <summary>
/// The allowances of every identity with a seat, kept after its last seat ends until each
/// would be full again (so leaving resets nothing), then forgotten, so the store holds no
/// more than the identities seen in the last minute or so.
/// </summary>
public sealed class IdentityAllowances
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, IdentityAllowance> _byIdentity = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly MeetingOptions _meeting;
    private readonly LimitsOptions _limits;
    private readonly TimeProvider _time;
    private readonly TimeSpan _retention;
    private long _sweptAt;

    public IdentityAllowances(IOptions<MeetingOptions> meeting, IOptions<LimitsOptions> limits, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meeting);
        ArgumentNullException.ThrowIfNull(limits);
        _meeting = meeting.Value;
        _limits = limits.Value;
        _time = time;
        _sweptAt = time.GetTimestamp();
        _retention = new[] { Chat().RefillTime, MediaState().RefillTime, Notices().RefillTime }.Max();
    }

    /// <summary>Identities remembered now (with a seat, or refilling).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byIdentity.Count;
            }
        }
    }

    /// <summary>A seat of <paramref name="identity"/> begins: its allowances, kept or new.</summary>
    internal IdentityAllowance Acquire(string identity)
    {
        lock (_gate)
        {
            SweepIfDue();
            if (!_byIdentity.TryGetValue(identity, out IdentityAllowance? allowance))
            {
                allowance = Create();
                _byIdentity[identity] = allowance;
            }

            allowance.Seats++;
            return allowance;
        }
    }

    /// <summary>A seat ended; the allowances stay until they would be full again.</summary>
    internal void Release(IdentityAllowance allowance)
    {
        lock (_gate)
        {
            allowance.Seats--;
            allowance.ReleasedAt = _time.GetTimestamp();
        }
    }

    private void SweepIfDue()
    {
        long now = _time.GetTimestamp();
        if (_time.GetElapsedTime(_sweptAt, now) < SweepInterval)
        {
            return;
        }

        _sweptAt = now;
        foreach ((string identity, IdentityAllowance allowance) in _byIdentity)
        {
            if (allowance.Seats == 0 && _time.GetElapsedTime(allowance.ReleasedAt, now) >= _retention)
            {
                _byIdentity.Remove(identity);
            }
        }
    }

    private IdentityAllowance Create() => new(Chat(), MediaState(), Notices());

    private RateAllowance Chat() => new(_meeting.ChatBurst, _meeting.ChatMessagesPerSecond, _time);

    private RateAllowance MediaState() => new(_limits.MediaStateBurst, _limits.MediaStatesPerSecond, _time);

    private RateAllowance Notices() => new(_limits.NoticeBurst, _limits.NoticesPerMinute / 60, _time);
}
