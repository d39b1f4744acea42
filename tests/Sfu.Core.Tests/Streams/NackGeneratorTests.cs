using Microsoft.Extensions.Time.Testing;
using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

/// <summary>Which lost packets of a publisher's stream are asked for, when, and for how long.</summary>
public class NackGeneratorTests
{
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan GiveUp = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();
    private readonly NackGenerator _nacks;

    public NackGeneratorTests() => _nacks = new NackGenerator(_time, Retry, GiveUp);

    private long Now => _time.GetTimestamp();

    [Fact]
    public void A_gap_is_asked_for_at_once_and_a_packet_in_order_asks_nothing()
    {
        _nacks.OnPacket(10, Now);
        _nacks.OnPacket(11, Now);
        Assert.Equal([], Due());

        _nacks.OnPacket(15, Now);

        Assert.Equal([12, 13, 14], Due());
        Assert.Equal([], Due()); // not again before the retry interval
    }

    [Fact]
    public void A_late_or_retransmitted_packet_is_no_longer_missing()
    {
        _nacks.OnPacket(10, Now);
        _nacks.OnPacket(14, Now);

        _nacks.OnPacket(12, Now);           // reordered
        Assert.True(_nacks.Resolve(11));    // the retransmission we asked for
        Assert.False(_nacks.Resolve(11));   // a second copy is a duplicate
        Assert.False(_nacks.Resolve(14));   // never missing

        Assert.Equal([13], Due());
    }

    [Fact]
    public void Each_packet_is_asked_for_again_after_the_retry_interval_at_most_MaxRequests_times()
    {
        _nacks.OnPacket(1, Now);
        _nacks.OnPacket(3, Now);

        var asked = new List<int>();
        for (int step = 0; step < NackGenerator.MaxRequests + 3; step++)
        {
            asked.Add(Due().Length);
            _time.Advance(Retry);
        }

        Assert.Equal([.. Enumerable.Repeat(1, NackGenerator.MaxRequests), 0, 0, 0], asked);
        Assert.Equal(0, _nacks.MissingCount);
    }

    [Fact]
    public void A_packet_missing_longer_than_the_give_up_time_is_forgotten()
    {
        var slow = new NackGenerator(_time, TimeSpan.FromSeconds(10), GiveUp);
        slow.OnPacket(1, Now);
        slow.OnPacket(3, Now);
        Assert.Equal(1, slow.CollectDue(Now, new ushort[8]));

        _time.Advance(GiveUp + TimeSpan.FromMilliseconds(1));

        Assert.Equal(0, slow.CollectDue(Now, new ushort[8]));
        Assert.Equal(0, slow.MissingCount);
    }

    [Theory]
    // first, second, expected missing
    [InlineData(65534, 1, new ushort[] { 65535, 0 })] // across the wrap
    [InlineData(100, 100, new ushort[0])]              // a duplicate
    [InlineData(100, 90, new ushort[0])]               // older than the highest: nothing new is missing
    public void Sequence_numbers_compare_modulo_2_16(int first, int second, ushort[] expected)
    {
        _nacks.OnPacket((ushort)first, Now);
        _nacks.OnPacket((ushort)second, Now);

        Assert.Equal(expected, Due());
    }

    [Fact]
    public void A_jump_too_long_to_repair_is_not_tracked_and_says_so()
    {
        _nacks.OnPacket(1, Now);
        _nacks.OnPacket(3, Now);

        Assert.False(_nacks.OnPacket((ushort)(3 + NackGenerator.MaxGap + 2), Now));
        Assert.Equal(0, _nacks.MissingCount);
        Assert.True(_nacks.OnPacket((ushort)(3 + NackGenerator.MaxGap + 3), Now));
    }

    [Fact]
    public void Only_as_many_as_fit_are_asked_for_and_the_rest_wait_their_turn()
    {
        _nacks.OnPacket(0, Now);
        _nacks.OnPacket(41, Now); // 1..40 missing

        var first = new ushort[32];
        Assert.Equal(32, _nacks.CollectDue(Now, first));
        Assert.Equal(Enumerable.Range(1, 32).Select(i => (ushort)i), first);
        Assert.Equal(Enumerable.Range(33, 8).Select(i => (ushort)i), Due());
    }

    [Fact]
    public void A_new_retry_interval_applies_to_packets_already_missing()
    {
        _nacks.OnPacket(1, Now);
        _nacks.OnPacket(3, Now);
        Assert.Equal([2], Due());

        _nacks.RetryInterval = TimeSpan.FromMilliseconds(20);
        _time.Advance(TimeSpan.FromMilliseconds(20));

        Assert.Equal(TimeSpan.FromMilliseconds(20), _nacks.RetryInterval);
        Assert.Equal([2], Due());
    }

    [Theory]
    // round trip ms, retry ms: 1.5 round trips + 10 ms, within 20..500
    [InlineData(0.2, 20)]
    [InlineData(40, 70)]
    [InlineData(200, 310)]
    [InlineData(2000, 500)]
    public void The_retry_interval_follows_the_round_trip(double roundTripMs, double retryMs)
        => Assert.Equal(TimeSpan.FromMilliseconds(retryMs), Sfu.Core.Feedback.NackRequester.RetryIntervalFor(TimeSpan.FromMilliseconds(roundTripMs)));

    [Fact]
    public void A_full_table_keeps_the_newest_missing_packets()
    {
        _nacks.OnPacket(0, Now);
        _nacks.OnPacket(201, Now);   // 1..200 missing
        _nacks.OnPacket(402, Now);   // 202..401 missing: 400 in all, room for 256

        Assert.Equal(NackGenerator.Capacity, _nacks.MissingCount);
        var due = new ushort[NackGenerator.Capacity];
        Assert.Equal(NackGenerator.Capacity, _nacks.CollectDue(Now, due));
        Assert.Equal((ushort)145, due[0]);   // 200 of the second gap and the last 56 of the first
        Assert.Equal((ushort)401, due[^1]);
        Assert.DoesNotContain((ushort)201, due);
    }

    [Fact]
    public void Tracking_allocates_nothing()
    {
        _nacks.OnPacket(0, Now);
        ushort[] due = new ushort[32];

        // Every other number: each packet opens a gap of one.
        Assert.Equal(0, Allocations.Measure(i =>
        {
            _nacks.OnPacket((ushort)(2 * (i + 1)), Now);
            _nacks.CollectDue(Now, due);
        }));
    }

    private ushort[] Due()
    {
        var due = new ushort[64];
        int count = _nacks.CollectDue(Now, due);
        return due[..count];
    }
}
