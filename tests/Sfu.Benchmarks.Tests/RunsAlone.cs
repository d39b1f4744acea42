namespace Sfu.Benchmarks.Tests;

/// <summary>Tests that measure this thread's allocations run after the others, with nothing beside them in the process.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "alone";
}
