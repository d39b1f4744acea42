namespace Sfu.Core.Tests;

/// <summary>
/// The measure every zero-allocation test relies on sees allocations, and only those after
/// the warm-up: were it to read 0 for everything, those tests could not fail.
/// </summary>
public sealed class AllocationsTests
{
    private static object? _kept;

    [Fact]
    public void Allocations_in_the_measured_iterations_are_counted()
    {
        long allocated = Allocations.Measure(() => _kept = new byte[100], iterations: 1000, warmUp: 10);

        Assert.InRange(allocated, 1000 * 100, 1000 * 200);
        Assert.NotNull(_kept);
    }

    [Fact]
    public void Allocations_during_the_warm_up_are_not_counted()
    {
        long allocated = Allocations.Measure(i => _kept = i < 10 ? new byte[100] : _kept, iterations: 1000, warmUp: 10);

        Assert.Equal(0, allocated);
    }
}
