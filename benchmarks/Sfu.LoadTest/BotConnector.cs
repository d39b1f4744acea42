namespace Sfu.LoadTest;

/// <summary>Connects a scenario's participants a few at a time and waits until media reaches all of them.</summary>
internal static class BotConnector
{
    private static readonly TimeSpan MediaPatience = TimeSpan.FromSeconds(30);

    /// <summary>Connects every participant; returns how many needed a second attempt.</summary>
    public static async Task<int> ConnectAllAsync<TBot>(
        IReadOnlyList<BotPlan> plan,
        int parallelism,
        Func<BotPlan, CancellationToken, Task<TBot>> connect,
        Action<TBot, BotPlan> connected,
        Action<string> status,
        CancellationToken cancellationToken)
    {
        // Publishers first, so subscribers find their tracks when they join.
        int done = 0;
        int retries = 0;
        var publishers = plan.Where(p => p.PublishAudio || p.PublishVideo).ToList();
        var listeners = plan.Where(p => !(p.PublishAudio || p.PublishVideo)).ToList();
        foreach (List<BotPlan> group in new[] { publishers, listeners })
        {
            await Parallel.ForEachAsync(
                group,
                new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
                async (p, ct) =>
                {
                    TBot bot;
                    try
                    {
                        bot = await connect(p, ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
                    {
                        // One more try, counted in the result: under a connection storm on 2 cores a
                        // handshake can time out; a second failure ends the run.
                        Interlocked.Increment(ref retries);
                        status($"{p.Name}: {e.Message} (retrying)");
                        bot = await connect(p, ct).ConfigureAwait(false);
                    }

                    connected(bot, p);
                    status($"connected {Interlocked.Increment(ref done)}/{plan.Count}");
                }).ConfigureAwait(false);
        }

        return retries;
    }

    public static async Task WaitForMediaAsync(Func<int> waiting, Func<string> describe, int total, Action<string> status, CancellationToken cancellationToken, string waitingFor = "receive all their tracks")
    {
        long deadline = Environment.TickCount64 + (long)MediaPatience.TotalMilliseconds;
        int left;
        while ((left = waiting()) > 0)
        {
            if (Environment.TickCount64 > deadline)
            {
                throw new InvalidOperationException($"{left} of {total} participants did not {waitingFor} within {MediaPatience.TotalSeconds:0} s ({describe()}).");
            }

            status($"waiting for media: {total - left}/{total} receiving");
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }
}
