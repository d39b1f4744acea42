namespace Sfu.Core.Tests.Fuzz;

/// <summary>
/// How long each fuzzer runs: 10,000 cases by default (the whole set stays within seconds in
/// CI); <c>SFU_FUZZ_ITERATIONS</c> sets another count, <c>SFU_FUZZ_SECONDS</c> a time per
/// fuzzer instead (for a long run: <c>SFU_FUZZ_SECONDS=600</c>). <c>SFU_FUZZ_SEED</c> replays
/// the case CsCheck printed for a failure.
/// </summary>
internal static class FuzzBudget
{
    public const long DefaultIterations = 10_000;

    public static long Iterations => long.TryParse(Environment.GetEnvironmentVariable("SFU_FUZZ_ITERATIONS"), out long n) && n > 0 ? n : DefaultIterations;

    public static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("SFU_FUZZ_SECONDS"), out int s) && s > 0 ? s : -1;

    public static string? Seed => Environment.GetEnvironmentVariable("SFU_FUZZ_SEED") is { Length: > 0 } seed ? seed : null;
}
