using Sfu.Core.Routing;

namespace Sfu.Core.Tests.Routing;

public class SsrcTableTests
{
    /// <summary>
    /// Each row is a list of operations: "+ssrc=value" sets, "-ssrc=value" removes when the SSRC
    /// still maps to that value. The expected column is what every SSRC 1..5 maps to afterwards
    /// ("1=a 3=c"), and the removals that took effect.
    /// </summary>
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("+1=a", "1=a", 0)]
    [InlineData("+1=a +2=b +3=c", "1=a 2=b 3=c", 0)]
    [InlineData("+1=a +1=b", "1=b", 0)]                       // a second set replaces, keeps one entry
    [InlineData("+1=a +2=b -1=a", "2=b", 1)]
    [InlineData("+1=a +2=b +3=c -2=b", "1=a 3=c", 1)]         // from the middle: the others keep their values
    [InlineData("+1=a -1=b", "1=a", 0)]                       // another owner's value stays
    [InlineData("+1=a +1=b -1=a", "1=b", 0)]                  // the old owner's late removal is ignored
    [InlineData("-4=a", "", 0)]                               // absent: nothing to remove
    [InlineData("+1=a -1=a +1=c", "1=c", 1)]
    [InlineData("+5=e +4=d +3=c +2=b +1=a -3=c -5=e", "1=a 2=b 4=d", 2)]
    public void Set_and_remove_leave_exactly_the_mappings_expected(string operations, string expected, int removals)
    {
        var table = new SsrcTable<string>();
        var values = new Dictionary<string, string>();
        int removed = 0;
        foreach (string operation in operations.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = operation[1..].Split('=');
            uint ssrc = uint.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);

            // Removal compares by reference: the same string instance must come back for a value.
            if (!values.TryGetValue(parts[1], out string? value))
            {
                value = new string(parts[1].AsSpan());
                values[parts[1]] = value;
            }

            if (operation[0] == '+')
            {
                table.Set(ssrc, value);
            }
            else if (table.Remove(ssrc, value))
            {
                removed++;
            }
        }

        var actual = new List<string>();
        for (uint ssrc = 1; ssrc <= 5; ssrc++)
        {
            Assert.Equal(table.TryGetValue(ssrc, out string? value), table.ContainsKey(ssrc));
            if (value is not null)
            {
                actual.Add($"{ssrc}={value}");
            }
        }

        Assert.Equal(expected, string.Join(' ', actual));
        Assert.Equal(removals, removed);
    }

    [Fact]
    public async Task Readers_on_other_threads_always_find_the_entries_that_are_never_removed()
    {
        var table = new SsrcTable<string>();
        table.Set(0xAAAA, "stays");
        table.Set(0xBBBB, "stays too");
        using var stop = new CancellationTokenSource();
        int misses = 0;
        long reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (!table.TryGetValue(0xAAAA, out string? a) || a != "stays"
                    || !table.TryGetValue(0xBBBB, out string? b) || b != "stays too")
                {
                    Interlocked.Increment(ref misses);
                }

                Interlocked.Increment(ref reads);
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        // Churn around the stable entries: every copy a writer publishes must still hold them.
        for (uint i = 0; i < 20_000; i++)
        {
            string value = "churn";
            table.Set(i, value);
            table.Remove(i, value);
        }

        stop.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, misses);
        Assert.True(Interlocked.Read(ref reads) > 0);
        Assert.False(table.ContainsKey(19_999));
    }
}
