namespace Sfu.Core.Tests.Fuzz;

/// <summary>The seed corpus in Fuzz/Seeds, by protocol: what each fuzzer's inputs are mutated from.</summary>
internal static class FuzzSeeds
{
    public static byte[][] Load(string protocol)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fuzz", "Seeds", protocol);
        byte[][] seeds = [.. Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
        Assert.NotEmpty(seeds);
        return seeds;
    }
}
