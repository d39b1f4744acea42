using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Sfu.Host.Tests;

namespace Sfu.Hostile.Tests;

/// <summary>
/// Join/leave churn as an attacker runs it: several connections, each joining a room under a
/// fresh name and leaving at once, over and over, for a fixed time. Names are
/// "churner{connection}-{round}".
/// </summary>
internal static class Churn
{
    /// <summary>Runs the churn; returns how many join-and-leave rounds completed.</summary>
    public static async Task<int> RunAsync(SfuTestServer server, string room, int connections, TimeSpan duration)
    {
        MeetingClient[] churners = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => MeetingClient.ConnectAsync(server)));
        try
        {
            var clock = Stopwatch.StartNew();
            int[] rounds = await Task.WhenAll(churners.Select(async (churner, c) =>
            {
                int done = 0;
                while (clock.Elapsed < duration)
                {
                    try
                    {
                        await churner.Connection.InvokeAsync<JsonElement>("Join", room, $"churner{c}-{done}", TestContext.Current.CancellationToken);
                    }
                    catch (HubException)
                    {
                        await Task.Delay(50, TestContext.Current.CancellationToken);
                        continue;
                    }

                    await churner.Connection.InvokeAsync("Leave", TestContext.Current.CancellationToken);
                    done++;
                }

                return done;
            }));
            return rounds.Sum();
        }
        finally
        {
            foreach (MeetingClient churner in churners)
            {
                await churner.DisposeAsync();
            }
        }
    }
}
