using Sfu.Core.Streams;

namespace Sfu.Core.Tests.Streams;

/// <summary>
/// Renumbering one outgoing stream: contiguous numbers across skipped packets, reordering and
/// wrap-around, continuation after a re-base (pause or layer switch), and NACKs mapped back to
/// the packet and source they carried.
/// </summary>
public sealed class SequenceTranslatorTests
{
    /// <summary>
    /// Feeds a script of steps ("f:N" forward source packet N, "s:N" skip it) and returns what
    /// each forwarded step got (-1 for a drop).
    /// </summary>
    private static int[] Run(ushort initial, params string[] steps)
    {
        var translator = new SequenceTranslator(initial, 0);
        var outputs = new List<int>();
        foreach (string step in steps)
        {
            ushort input = ushort.Parse(step[2..], System.Globalization.CultureInfo.InvariantCulture);
            if (!translator.Started)
            {
                translator.Start(0, input, 0);
            }

            if (step[0] == 's')
            {
                translator.Skip(input);
                continue;
            }

            outputs.Add(translator.TryTranslate(input, 0, out ushort output, out _) ? output : -1);
        }

        return [.. outputs];
    }

    [Theory]
    // initial, script, expected outputs of the forwarded steps
    [InlineData(100, "f:10 f:11 f:12", new[] { 100, 101, 102 })]                  // in order
    [InlineData(100, "f:10 s:11 f:12 f:13", new[] { 100, 101, 102 })]             // a skipped packet leaves no gap
    [InlineData(100, "f:10 s:11 s:12 s:13 f:14", new[] { 100, 101 })]             // nor do several
    [InlineData(100, "f:10 f:12 f:11", new[] { 100, 102, 101 })]                  // reordering keeps each number
    [InlineData(100, "f:10 f:12 s:13 f:11 f:14", new[] { 100, 102, 101, 103 })]   // a late packet before a skip keeps its slot
    [InlineData(100, "f:10 f:13 s:12 f:14", new[] { 100, 103, 104 })]             // skipping an older one leaves its hole
    [InlineData(65535, "f:65534 f:65535 f:0 s:1 f:2", new[] { 65535, 0, 1, 2 })]  // both sides wrap
    [InlineData(100, "s:10 f:11 f:12", new[] { 100, 101 })]                       // the first packet itself skipped
    public void Forwarded_packets_are_numbered_contiguously(int initial, string script, int[] expected)
        => Assert.Equal(expected, Run((ushort)initial, script.Split(' ')));

    [Fact]
    public void A_skipped_packet_arriving_again_is_dropped_rather_than_given_a_used_number()
    {
        var translator = new SequenceTranslator(100, 0);
        translator.Start(0, 10, 0);
        translator.TryTranslate(10, 0, out _, out _);   // 100
        translator.Skip(11);
        translator.TryTranslate(12, 0, out ushort twelve, out _);

        Assert.Equal((ushort)101, twelve);
        Assert.False(translator.TryTranslate(11, 0, out _, out _));
    }

    [Fact]
    public void A_rebase_continues_after_the_last_number_sent_and_drops_what_came_before_it()
    {
        var translator = new SequenceTranslator(500, 1000);
        translator.Start(0, 10, 90_000);
        translator.TryTranslate(10, 90_000, out _, out _);   // 500
        translator.TryTranslate(11, 93_000, out _, out _);   // 501

        // Another source (a simulcast layer) with its own numbers and clock.
        translator.Rebase(1, 40_000, 7_000, outputTimestamp: 10_000);
        Assert.True(translator.TryTranslate(40_000, 7_000, out ushort seq, out uint ts));
        Assert.True(translator.TryTranslate(40_001, 10_000, out ushort next, out uint nextTs));
        Assert.False(translator.TryTranslate(39_999, 4_000, out _, out _));   // from before the switch

        Assert.Equal((ushort)502, seq);
        Assert.Equal(10_000u, ts);
        Assert.Equal((ushort)503, next);
        Assert.Equal(13_000u, nextTs);
        Assert.Equal(1, translator.CurrentSource);
    }

    [Fact]
    public void A_nack_maps_back_to_the_packet_and_source_it_carried_across_skips_and_switches()
    {
        var translator = new SequenceTranslator(65534, 0);
        translator.Start(0, 100, 0);
        translator.TryTranslate(100, 0, out _, out _);   // 65534
        translator.Skip(101);
        translator.TryTranslate(102, 0, out _, out _);   // 65535
        translator.Rebase(1, 9000, 0, outputTimestamp: 5000);
        translator.TryTranslate(9000, 0, out _, out _);  // 0
        translator.TryTranslate(9001, 0, out _, out _);  // 1

        Assert.True(translator.TryMapBack(65534, out int s0, out ushort n0, out _));
        Assert.True(translator.TryMapBack(65535, out int s1, out ushort n1, out _));
        Assert.True(translator.TryMapBack(1, out int s2, out ushort n2, out uint offset2));
        Assert.False(translator.TryMapBack(2, out _, out _, out _));      // not sent yet
        Assert.False(translator.TryMapBack(65000, out _, out _, out _));  // never sent

        Assert.Equal((0, (ushort)100), (s0, n0));
        Assert.Equal((0, (ushort)102), (s1, n1));
        Assert.Equal((1, (ushort)9001), (s2, n2));
        Assert.Equal(5000u, offset2);
    }

    [Fact]
    public void Numbers_older_than_the_remembered_ranges_are_not_mapped_back()
    {
        var translator = new SequenceTranslator(0, 0);
        translator.Start(0, 0, 0);
        ushort input = 0;
        for (int i = 0; i < SequenceTranslator.RangeCapacity + 5; i++)
        {
            translator.TryTranslate(input++, 0, out _, out _);
            translator.Skip(input++);
        }

        Assert.False(translator.TryMapBack(0, out _, out _, out _));
        Assert.True(translator.TryMapBack(translator.HighestSequenceNumber, out _, out _, out _));
    }

    [Fact]
    public void A_long_stream_maps_back_across_the_wrap()
    {
        var translator = new SequenceTranslator(0, 0);
        translator.Start(0, 0, 0);
        for (int i = 0; i < 100_000; i++)
        {
            translator.TryTranslate(unchecked((ushort)i), 0, out _, out _);
        }

        ushort last = unchecked((ushort)99_999);
        Assert.True(translator.TryMapBack(unchecked((ushort)(last - 1000)), out _, out ushort source, out _));
        Assert.Equal(unchecked((ushort)(last - 1000)), source);
        Assert.False(translator.TryMapBack(unchecked((ushort)(last + 1)), out _, out _, out _));
    }

    [Fact]
    public void Translating_allocates_nothing()
    {
        var translator = new SequenceTranslator(0, 0);
        translator.Start(0, 0, 0);
        ushort input = 0;
        long allocated = Allocations.Measure(() =>
        {
            translator.TryTranslate(input++, 0, out _, out _);
            if ((input & 7) == 0)
            {
                translator.Skip(input++);
            }

            translator.TryMapBack(translator.HighestSequenceNumber, out _, out _, out _);
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_reserved_number_sits_between_forwarded_ones_and_maps_back_to_nothing()
    {
        var translator = new SequenceTranslator(100, 0);
        translator.Start(0, 10, 0);
        translator.TryTranslate(10, 0, out _, out _);   // 100
        translator.TryTranslate(12, 0, out _, out _);   // 102 (11 is late)

        Assert.True(translator.TryReserve(out ushort padding));
        translator.TryTranslate(13, 0, out ushort after, out _);
        translator.TryTranslate(11, 0, out ushort late, out _);

        Assert.Equal((ushort)103, padding);
        Assert.Equal((ushort)104, after);
        Assert.Equal((ushort)101, late);   // the late packet keeps the slot it always had
        Assert.False(translator.TryMapBack(padding, out _, out _, out _));
        Assert.True(translator.TryMapBack(after, out _, out ushort source, out _));
        Assert.Equal((ushort)13, source);
    }
}
